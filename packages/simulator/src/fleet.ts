import type { Credentials } from './machine.js';
import type { PersonalityName } from './personalities/index.js';
import { VirtualMiner } from './virtual-miner.js';

export interface FleetOptions {
  /** One loopback address per miner. */
  ips: string[];
  /** cgminer API port, the same on every address (default 4028). */
  port?: number;
  /**
   * Models handed out in turn. Default "Antminer S19 Pro"; with `personalities`, a model of each miner's brand
   * picked by its seed.
   */
  models?: string[];
  /** Firmware handed out in turn (see `assignMix` for a mix by percentages); default each model's stock firmware. */
  personalities?: PersonalityName[];
  /** Fleet seed; each miner derives its own from it and its index (default 1). */
  seed?: number;
  /** Web CGI port of the stock Antminers, the same on every address; absent: no web servers. */
  httpPort?: number;
  /** Web login of every stock Antminer (default root/root). */
  credentials?: Credentials;
  /** How long a reboot keeps a miner offline (default 5000 ms). */
  rebootMs?: number;
  /**
   * Whole percent of the fleet whose operator commands fail (the `control-fails` fault) from the start, spread
   * evenly through the fleet: for rollouts that must stop at a failure threshold. Default 0.
   */
  controlFailPct?: number;
}

/** Whether miner `index` is among the evenly spread `percent` of a fleet. */
export function inShare(index: number, percent: number): boolean {
  return Math.floor(((index + 1) * percent) / 100) > Math.floor((index * percent) / 100);
}

/** Many virtual miners started together and closed together. */
export class SimulatedFleet {
  private constructor(readonly miners: VirtualMiner[]) {}

  /** Starts every miner concurrently; if one cannot listen, the others are closed again and the error thrown. */
  static async start(options: FleetOptions): Promise<SimulatedFleet> {
    const seed = options.seed ?? 1;
    const { models, personalities } = options;
    const miners = options.ips.map((ip, index) => {
      const personality = personalities?.[index % personalities.length];
      const model = models?.[index % models.length] ?? (personality ? undefined : 'Antminer S19 Pro');
      return new VirtualMiner({
        ip,
        port: options.port ?? 4028,
        ...(model === undefined ? {} : { model }),
        ...(personality === undefined ? {} : { personality }),
        seed: (Math.imul(seed, 0x9e3779b1) + index) >>> 0,
        ...(options.httpPort === undefined ? {} : { httpPort: options.httpPort }),
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
        ...(options.rebootMs === undefined ? {} : { rebootMs: options.rebootMs }),
      });
    });
    const failPct = options.controlFailPct ?? 0;
    const started = await Promise.allSettled(
      miners.map(async (miner, index) => {
        await miner.start();
        if (inShare(index, failPct)) await miner.setFault('control-fails');
      }),
    );
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await Promise.all(miners.map((miner) => miner.close()));
      throw failure.reason;
    }
    return new SimulatedFleet(miners);
  }

  async close(): Promise<void> {
    await Promise.all(this.miners.map((miner) => miner.close()));
  }
}

export function startFleet(options: FleetOptions): Promise<SimulatedFleet> {
  return SimulatedFleet.start(options);
}
