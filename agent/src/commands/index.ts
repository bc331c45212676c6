// Remote commands: verified, journaled before acting, run once per target through the drivers, reported.

export { type ControlTarget, type MinerControl, type MinerControlOptions, minerControl } from './control.js';
export { type CommandChannel, CommandExecutor, type CommandExecutorOptions } from './executor.js';
export { judgeCommand, type Verdict, type VerifyContext } from './verify.js';
