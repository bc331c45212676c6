import { VirtualMiner } from './virtual-miner.js';

export interface FleetOptions {
  /** One loopback address per miner. */
  ips: string[];
  /** cgminer API port, the same on every address (default 4028). */
  port?: number;
  /** Models handed out in turn (default ["Antminer S19 Pro"]). */
  models?: string[];
  /** Fleet seed; each miner derives its own from it and its index (default 1). */
  seed?: number;
}

/** Many virtual miners started together and closed together. */
export class SimulatedFleet {
  private constructor(readonly miners: VirtualMiner[]) {}

  /** Starts every miner concurrently; if one cannot listen, the others are closed again and the error thrown. */
  static async start(options: FleetOptions): Promise<SimulatedFleet> {
    const models = options.models ?? ['Antminer S19 Pro'];
    const seed = options.seed ?? 1;
    const miners = options.ips.map(
      (ip, index) =>
        new VirtualMiner({
          ip,
          port: options.port ?? 4028,
          model: models[index % models.length],
          seed: (Math.imul(seed, 0x9e3779b1) + index) >>> 0,
        }),
    );
    const started = await Promise.allSettled(miners.map((miner) => miner.start()));
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
