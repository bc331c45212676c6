import { isRecord } from '../../json.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  counter,
  expectedHashrateMhs,
  MAX_HASHRATE_MHS,
  MAX_POWER_W,
  macAddress,
  minerStatus,
  nominalMhs,
  numberAt,
  parsePools,
  parseTotals,
  sectionList,
  statsData,
  statsFans,
  statsType,
  temperatureAt,
  vendorOf,
} from '../cgminer-family/index.js';

/** The LUXminer replies a Reading is made of; every one but `stats` may have been refused. */
export interface LuxosReplies {
  stats: CgminerReply;
  config?: CgminerReply;
  devs?: CgminerReply;
  temps?: CgminerReply;
  power?: CgminerReply;
  pools?: CgminerReply;
}

type Board = Reading['boards'][number];

/**
 * One Reading from LUXminer replies. `stats` (bmminer-style) carries the totals, chip counts and fans; `devs` the
 * boards' rate, rated rate, temperature and serial; `temps` the intake and exhaust sensors. LuxOS reports board
 * (PCB) temperatures only, never chip temperatures. Status: `minerStatus`, sleeping while curtailed
 * (`config` CurtailMode other than "None").
 */
export function parseLuxos(ip: string, replies: LuxosReplies): Reading {
  const data = statsData(replies.stats);
  const totals = parseTotals(data);
  const config = sectionList(replies.config, 'CONFIG')[0] ?? {};
  const model = parseModel(config, replies.stats);
  const boards = parseBoards(replies.devs, replies.temps, data);
  const nominal = nominalMhs(replies.devs);
  const hashrateExpectedMhs = nominal > 0 ? nominal : expectedHashrateMhs(model);
  const { fansRpm, fansExpected } = statsFans(data);
  const powerW = parsePowerW(replies.power);
  const measured = { hashrateMhs: totals.hashrateMhs, hashrateExpectedMhs, boards, fansRpm };
  const hostname = text(config.Hostname);
  const mac = macAddress(config.MACAddr);
  const serial = text(config.SerialNumber);
  return {
    ip,
    vendor: vendorOf(model),
    model,
    firmware: replies.stats.status.description,
    ...(hostname === undefined ? {} : { hostname }),
    ...(mac === undefined ? {} : { mac }),
    ...(serial === undefined ? {} : { serial }),
    status: minerStatus(measured, {
      sleeping: isCurtailed(config),
      ...(fansExpected === undefined ? {} : { fansExpected }),
    }),
    hashrateMhs: totals.hashrateMhs,
    hashrateAvgMhs: totals.hashrateAvgMhs,
    hashrateExpectedMhs,
    boards,
    fansRpm,
    ...(powerW === undefined ? {} : { powerW }),
    pools: replies.pools ? parsePools(replies.pools) : [],
    uptimeS: totals.uptimeS,
    errors: [],
  };
}

/** `config` Model ("Antminer S19k Pro"), else the `stats` header's Type. */
export function parseModel(config: Record<string, unknown>, stats: CgminerReply): string {
  return text(config.Model) ?? text(statsType(stats)?.split(' (')[0]) ?? 'unknown';
}

/** `curtail sleep` powers the boards down and shows in `config` as CurtailMode "Sleep" ("None" when mining). */
export function isCurtailed(config: Record<string, unknown>): boolean {
  const mode = text(config.CurtailMode);
  return mode !== undefined && mode.toLowerCase() !== 'none';
}

/**
 * One board per `devs` device (ASC = board ID, 0-based), in board order. Chips come from `stats` `chain_acn`
 * (1-based chains: ASC + 1); intake and exhaust temperatures are the hottest `temps` sensors whose METADATA label
 * says so ("Board Intake (top)", "Board Exhaust (bottom)"; a water loop's sensors are neither).
 */
export function parseBoards(
  devs: CgminerReply | undefined,
  temps: CgminerReply | undefined,
  stats: Record<string, unknown>,
): Reading['boards'] {
  const tempsById = new Map(sectionList(temps, 'TEMPS').map((record) => [record.ID, record]));
  const intake = sensorsLabelled(temps, /intake/i);
  const exhaust = sensorsLabelled(temps, /exhaust/i);
  return sectionList(devs, 'DEVS')
    .map((dev, position): Board => {
      const index = Number.isSafeInteger(dev.ASC) ? (dev.ASC as number) : position;
      const sensors = tempsById.get(dev.ID) ?? {};
      const boardTempC = temperatureAt(dev, 'Temperature');
      const inletTempC = hottest(sensors, intake);
      const outletTempC = hottest(sensors, exhaust);
      const serial = text(dev.SerialNumber);
      return {
        index,
        hashrateMhs: Math.round(numberAt(dev, 'MHS 5s', MAX_HASHRATE_MHS)),
        ...(boardTempC === undefined ? {} : { boardTempC }),
        ...(inletTempC === undefined ? {} : { inletTempC }),
        ...(outletTempC === undefined ? {} : { outletTempC }),
        chips: counter(stats, `chain_acn${index + 1}`),
        chipsExpected: 0,
        ...(serial === undefined ? {} : { serial }),
      };
    })
    .sort((a, b) => a.index - b.index);
}

/** `power` Watts: LUXminer's estimate of the miner's draw. */
export function parsePowerW(power: CgminerReply | undefined): number | undefined {
  const record = sectionList(power, 'POWER')[0];
  if (record?.Watts === undefined) return undefined;
  return Math.round(numberAt(record, 'Watts', MAX_POWER_W));
}

/** The `temps` keys (TopLeft, BottomRight, ..) whose METADATA label matches. */
function sensorsLabelled(temps: CgminerReply | undefined, label: RegExp): string[] {
  const metadata = sectionList(temps, 'METADATA')[0] ?? {};
  return Object.entries(metadata)
    .filter(([, sensor]) => isRecord(sensor) && typeof sensor.Label === 'string' && label.test(sensor.Label))
    .map(([key]) => key);
}

function hottest(sensors: Record<string, unknown>, keys: string[]): number | undefined {
  const readings = keys.map((key) => temperatureAt(sensors, key)).filter((celsius) => celsius !== undefined);
  return readings.length === 0 ? undefined : Math.max(...readings);
}

/** A non-empty text value, trimmed; anything else is not reported. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
