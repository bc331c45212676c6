// cgminer-API parsing every cgminer-family driver composes (Antminer, Avalon, Braiins, LuxOS, VNish, generic).
export {
  counter,
  expectedHashrateMhs,
  firstOf,
  MAX_COUNTER,
  MAX_HASHRATE_MHS,
  MAX_UPTIME_S,
  numberAt,
  parseSummary,
  parseVersion,
  type SummaryValues,
  sectionList,
  vendorOf,
} from './parse.js';
export { parsePools } from './pools.js';
