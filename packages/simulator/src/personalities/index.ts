import { type MinerModel, minerModels } from '@hashinsight/miners';
import { antminer } from './antminer.js';
import { avalon } from './avalon.js';
import { braiins } from './braiins.js';
import { luxos } from './luxos.js';
import type { Personality, PersonalityName } from './personality.js';
import { vnish } from './vnish.js';
import { whatsminer } from './whatsminer.js';

export { antminer } from './antminer.js';
export {
  type Brand,
  type Firmware,
  PERSONALITY_NAMES,
  type Personality,
  type PersonalityName,
} from './personality.js';

/** Every firmware family the simulator speaks. Adding one is a module and a line here. */
export const personalities: Readonly<Record<PersonalityName, Personality>> = {
  antminer,
  whatsminer,
  avalon,
  braiins,
  luxos,
  vnish,
};

/** The catalog models a personality runs on: those of its brand. */
export function modelsFor(personality: Personality): MinerModel[] {
  return minerModels.filter((model) => model.model.startsWith(personality.brand));
}

/** The personality that runs stock on a model: its maker's firmware. */
export function stockPersonality(model: MinerModel): Personality {
  return (
    Object.values(personalities).find((candidate) => model.model.startsWith(candidate.brand)) ?? antminer
  );
}
