import type { CgminerRequest, Reply, RequestError, RequestForms } from '../cgminer/index.js';
import type { Hardware } from '../hardware.js';
import type { Machine } from '../machine.js';

/** The firmware families the simulator speaks, one per driver family of @hashinsight/miners. */
export const PERSONALITY_NAMES = ['antminer', 'whatsminer', 'avalon', 'braiins', 'luxos', 'vnish'] as const;
export type PersonalityName = (typeof PERSONALITY_NAMES)[number];

/** Catalog model names start with their maker's brand. */
export type Brand = 'Antminer' | 'Whatsminer' | 'Avalon';

/** One miner's running firmware: it answers requests from its Machine and changes it on command. */
export interface Firmware {
  /** The reply to one request, or to one the API server could not read. */
  answer(request: CgminerRequest | RequestError): Reply;
}

/** A firmware family: what it runs on and how it speaks. Firmware instances hold per-miner state (sessions). */
export interface Personality {
  name: PersonalityName;
  /** The brand of the catalog models it runs on. */
  brand: Brand;
  /** The STATUS Description of its replies (`cgminer 1.0.0`, `btminer`, `LUXminer ..`). */
  description: string;
  forms: RequestForms;
  /** Report commands it serves joined (`summary+pools`); empty when it does not join. */
  joinable: ReadonlySet<string>;
  /** Curtailment survives a reboot (LuxOS keeps it; stock Antminer keeps its config's work mode). */
  sleepSurvivesReboot: boolean;
  hardware(model: string): Hardware;
  firmware(machine: Machine): Firmware;
}
