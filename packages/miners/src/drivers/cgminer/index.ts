export { parseSummary, parseVersion, type SummaryValues, vendorOf } from './parse.js';
export { type CgminerSend, readCgminer } from './read.js';
