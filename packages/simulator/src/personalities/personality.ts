import type { CgminerRequest, Reply, RequestError, RequestForms } from '../cgminer/index.js';
import type { Hardware } from '../hardware.js';
import type { Credentials, Machine } from '../machine.js';
import type { TokenApiSpec } from '../web/index.js';

/** The firmware families the simulator speaks, one per driver family of @hashinsight/miners. */
export const PERSONALITY_NAMES = ['antminer', 'whatsminer', 'avalon', 'braiins', 'luxos', 'vnish'] as const;
export type PersonalityName = (typeof PERSONALITY_NAMES)[number];

/** Catalog model names start with their maker's brand. */
export type Brand = 'Antminer' | 'Whatsminer' | 'Avalon';

/** One miner's running firmware: it answers requests from its Machine and changes it on command. */
export interface Firmware {
  /** The reply to one request, or to one the API server could not read. */
  answer(request: CgminerRequest | RequestError): Reply;
  /**
   * A request this firmware reads itself before the cgminer parser does (btminer's encrypted `{"enc":1,..}`);
   * undefined leaves it to `answer`. `login` is the admin login, undefined under the `wrong-password` fault.
   */
  answerRaw?(raw: string, login: Credentials | undefined): Reply | undefined;
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
  /** The admin login the firmware ships with, when not root/root (Whatsminer: admin/admin). */
  defaultLogin?: Credentials;
  hardware(model: string): Hardware;
  firmware(machine: Machine): Firmware;
  /** Its JSON API behind a token login on the web port (Braiins OS REST, VNish web API), when it has one. */
  webApi?(machine: Machine): TokenApiSpec;
}
