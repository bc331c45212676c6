import { isRecord } from '../../json.js';
import type { Reading } from '../../reading.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import {
  counter,
  expectedHashrateMhs,
  MAX_FAN_RPM,
  MAX_HASHRATE_MHS,
  MAX_POWER_W,
  minerStatus,
  nominalMhs,
  numberAt,
  parsePools,
  parseSummary,
  sectionList,
  temperatureAt,
  vendorOf,
} from '../cgminer-family/index.js';

/** The BOSminer replies a Reading is made of; every one but `summary` may have been refused. */
export interface BraiinsReplies {
  summary: CgminerReply;
  devs?: CgminerReply;
  devdetails?: CgminerReply;
  temps?: CgminerReply;
  fans?: CgminerReply;
  tunerstatus?: CgminerReply;
  tempctrl?: CgminerReply;
  pools?: CgminerReply;
}

type Board = Reading['boards'][number];

// Tuner states of a healthy chain (pyasic braiins_os.py); any other state is the tuner reporting a problem.
const TUNER_OK = new Set(['Stable', 'Testing performance profile', 'Tuning individual chips']);

/**
 * One Reading from BOSminer / BOSer cgminer-API replies. Status: `minerStatus` with BOSminer's own hot limit
 * (`tempctrl` Hot). A paused BOSminer cannot be told from a stopped one over this API (pause has no read-back),
 * so it reads `offline`, never `sleeping`.
 */
export function parseBraiinsOs(ip: string, replies: BraiinsReplies): Reading {
  const summary = parseSummary(replies.summary);
  const model = parseModel(replies.devdetails);
  const boards = parseBoards(replies.devs, replies.devdetails, replies.temps);
  const nominal = nominalMhs(replies.devs);
  const hashrateExpectedMhs = nominal > 0 ? nominal : expectedHashrateMhs(model);
  const fansRpm = parseFans(replies.fans);
  const powerW = parsePowerW(replies.tunerstatus);
  const hotC = parseHotC(replies.tempctrl);
  const measured = { hashrateMhs: summary.hashrateMhs, hashrateExpectedMhs, boards, fansRpm };
  return {
    ip,
    vendor: vendorOf(model),
    model,
    firmware: replies.summary.status.description,
    status: minerStatus(measured, { sleeping: false, ...(hotC === undefined ? {} : { hotC }) }),
    hashrateMhs: summary.hashrateMhs,
    hashrateAvgMhs: summary.hashrateAvgMhs,
    hashrateExpectedMhs,
    boards,
    fansRpm,
    ...(powerW === undefined ? {} : { powerW }),
    pools: replies.pools ? parsePools(replies.pools) : [],
    uptimeS: summary.uptimeS,
    errors: parseTunerErrors(replies.tunerstatus),
  };
}

/** devdetails `Model` is the vendor's full name, "Bitmain Antminer S9"; the catalog says "Antminer S9". */
export function parseModel(devdetails: CgminerReply | undefined): string {
  const model = sectionList(devdetails, 'DEVDETAILS').find((dev) => typeof dev.Model === 'string')?.Model;
  const name = typeof model === 'string' ? model.replace(/^Bitmain\s+/i, '').trim() : '';
  return name === '' ? 'unknown' : name;
}

/**
 * One board per `devs` device (MH/s), joined by hash-chain `ID` with its `temps` (Board/Chip °C, 0 = no sensor)
 * and `devdetails` (Chips). BOSminer does not say how many chips a board should have.
 */
export function parseBoards(
  devs: CgminerReply | undefined,
  devdetails: CgminerReply | undefined,
  temps: CgminerReply | undefined,
): Reading['boards'] {
  const detailsById = byId(sectionList(devdetails, 'DEVDETAILS'));
  const tempsById = byId(sectionList(temps, 'TEMPS'));
  return sectionList(devs, 'DEVS').map((dev, position): Board => {
    const details = detailsById.get(dev.ID);
    const temp = tempsById.get(dev.ID) ?? {};
    const boardTempC = temperatureAt(temp, 'Board');
    const chipTempC = temperatureAt(temp, 'Chip');
    return {
      index: Number.isSafeInteger(dev.ASC) ? (dev.ASC as number) : position,
      hashrateMhs: Math.round(numberAt(dev, 'MHS 5s', MAX_HASHRATE_MHS)),
      ...(boardTempC === undefined ? {} : { boardTempC }),
      ...(chipTempC === undefined ? {} : { chipTempC }),
      chips: details ? counter(details, 'Chips') : 0,
      chipsExpected: 0,
    };
  });
}

/** `fans` lists every fan connector; an S9 has two fans on four connectors, so 0 RPM is an empty connector. */
export function parseFans(fans: CgminerReply | undefined): number[] {
  return sectionList(fans, 'FANS')
    .map((fan) => Math.round(numberAt(fan, 'RPM', MAX_FAN_RPM)))
    .filter((rpm) => rpm > 0);
}

/** BOS+ `tunerstatus` estimates the whole miner's draw (`ApproximateMinerPowerConsumption`, W). */
export function parsePowerW(tunerstatus: CgminerReply | undefined): number | undefined {
  const tuner = sectionList(tunerstatus, 'TUNERSTATUS')[0];
  if (tuner?.ApproximateMinerPowerConsumption === undefined) return undefined;
  return Math.round(numberAt(tuner, 'ApproximateMinerPowerConsumption', MAX_POWER_W));
}

/** `tempctrl` Hot: where BOSminer itself runs the fans flat out. Absent when temperature control is off. */
export function parseHotC(tempctrl: CgminerReply | undefined): number | undefined {
  const control = sectionList(tempctrl, 'TEMPCTRL')[0];
  return control ? temperatureAt(control, 'Hot') : undefined;
}

/** A chain whose tuner is in neither a tuning nor a stable state is one the tuner reports a problem with. */
export function parseTunerErrors(tunerstatus: CgminerReply | undefined): Reading['errors'] {
  const chains = sectionList(tunerstatus, 'TUNERSTATUS')[0]?.TunerChainStatus;
  return (Array.isArray(chains) ? chains.filter(isRecord) : [])
    .filter((chain) => typeof chain.Status === 'string' && !TUNER_OK.has(chain.Status))
    .map((chain) => ({
      code: 'BOS_TUNER',
      message: `hash chain ${String(chain.HashchainIndex)}: ${String(chain.Status)}`,
    }));
}

function byId(records: Record<string, unknown>[]): Map<unknown, Record<string, unknown>> {
  return new Map(records.map((record) => [record.ID, record]));
}
