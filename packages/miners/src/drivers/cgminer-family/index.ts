// cgminer-API parsing and control-reply checks every cgminer-family driver composes (Antminer, Avalon, Braiins,
// LuxOS, VNish, generic).

export { expectConfirmation } from './confirm.js';
export { nominalMhs } from './devs.js';
export { macAddress } from './mac.js';
export { optionalReply } from './optional.js';
export {
  counter,
  expectedHashrateMhs,
  firstOf,
  hashrateMhs,
  MAX_COUNTER,
  MAX_FAN_RPM,
  MAX_HASHRATE_MHS,
  MAX_POWER_W,
  MAX_TEMP_C,
  MAX_UPTIME_S,
  MIN_TEMP_C,
  numberAt,
  parseSummary,
  parseTotals,
  parseVersion,
  type SummaryValues,
  sectionList,
  temperatureAt,
  vendorOf,
} from './parse.js';
export { parsePools } from './pools.js';
export { probeMentions } from './probe.js';
export { numberedKeys, statsData, statsFans, statsType } from './stats.js';
export { DEGRADED_BELOW_EXPECTED, minerStatus, type StatusFacts } from './status.js';
