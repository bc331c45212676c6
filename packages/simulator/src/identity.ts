import { findModel, type MinerModel } from '@hashinsight/miners';
import { SimulatorError } from './errors.js';
import type { Identity } from './machine.js';
import {
  antminer,
  modelsFor,
  type Personality,
  type PersonalityName,
  personalities,
  stockPersonality,
} from './personalities/index.js';
import type { PoolSetting } from './pools.js';
import { seededRandom } from './random.js';

const DEFAULT_MODEL = 'Antminer S19 Pro';

/**
 * The firmware and model of a miner from what was asked: a model runs its maker's firmware unless a
 * personality is named; a personality without a model gets one of its brand from the catalog, picked by the seed.
 */
export function chooseHardware(
  seed: number,
  modelName?: string,
  personalityName?: PersonalityName,
): { model: MinerModel; personality: Personality } {
  const named = personalityName === undefined ? undefined : personalities[personalityName];
  if (modelName === undefined) {
    const personality = named ?? antminer;
    const candidates = modelsFor(personality);
    const pick = named === undefined ? findModel(DEFAULT_MODEL) : undefined;
    // A stream of its own, so that picking a model leaves the telemetry's numbers as they were.
    const index = Math.floor(seededRandom(seed ^ 0x5bd1e995)() * candidates.length);
    return { model: pick ?? (candidates[index] as MinerModel), personality };
  }
  const model = findModel(modelName);
  if (model === undefined) {
    throw new SimulatorError(
      'SIMULATOR_UNKNOWN_MODEL',
      `no model ${JSON.stringify(modelName)} in the catalog`,
    );
  }
  const personality = named ?? stockPersonality(model);
  if (!model.model.startsWith(personality.brand)) {
    throw new SimulatorError(
      'SIMULATOR_MODEL_MISMATCH',
      `${personality.name} firmware runs on ${personality.brand} models, not on the ${model.model}`,
    );
  }
  return { model, personality };
}

/** Who a miner is, from its address: a control-board id, a MAC and names no other simulated miner has. */
export function identityOf(ip: string, model: MinerModel): Identity {
  const octets = ip.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0'));
  return {
    ip,
    model,
    // Real control boards have unique 16-hex-digit ids; ours come from the address, so they are unique too.
    serial: `80${octets.join('')}0000481c`,
    // 02: locally administered, so it can never be a real vendor's address.
    mac: ['02', ...octets, '1c'].join(':'),
    hostname: `miner-${ip.replaceAll('.', '-')}`,
    worker: `hashinsight.${ip.replaceAll('.', 'x')}`,
  };
}

/** `.invalid` never resolves (RFC 2606): a simulated config can never point a real client at a real pool. */
export function defaultPools(worker: string): PoolSetting[] {
  return ['pool', 'backup1.pool', 'backup2.pool'].map((host) => ({
    url: `stratum+tcp://${host}.invalid:3333`,
    user: worker,
    password: 'x',
  }));
}
