export { parseSummary, type SummaryValues } from './drivers/cgminer/index.js';
export { MinerError, type MinerErrorCode } from './errors.js';
export { findModel, type MinerModel, minerModels } from './models.js';
export { readCgminerMiner } from './read.js';
export type { Reading } from './reading.js';
export {
  type CgminerOptions,
  type CgminerReply,
  type CgminerStatus,
  type CgminerStatusLetter,
  cgminerCommand,
} from './transports/cgminer/index.js';
