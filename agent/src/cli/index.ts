export { runCli } from './cli.js';
export { type CliIo, type CliOutput, captureIo, processIo } from './io.js';
