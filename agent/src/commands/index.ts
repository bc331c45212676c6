// Remote commands: verified, journaled before acting, run once per target through the drivers, reported.

export {
  type ControlTarget,
  type MinerControl,
  type MinerControlOptions,
  type MinerObserver,
  minerControl,
  minerObserver,
} from './control.js';
export { type CommandChannel, CommandExecutor, type CommandExecutorOptions } from './executor.js';
export { MinerLogins } from './logins.js';
export { type Expectation, effectSeen, expectationFor } from './observe.js';
export { judgeCommand, type Verdict, type VerifyContext } from './verify.js';
