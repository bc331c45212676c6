import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { findModel } from '@hashinsight/miners';
import { SimulatorError } from './errors.js';
import { isLoopback, LOOPBACK_ONLY } from './loopback.js';
import {
  devsReply,
  errorReply,
  poolsReply,
  type Reply,
  statsReply,
  summaryReply,
  versionReply,
} from './replies.js';
import { type Sample, Telemetry } from './telemetry.js';

/**
 * How the miner misbehaves, for new connections:
 * - `silent`: accepts and never answers
 * - `garbage`: answers random bytes, then closes
 * - `slow-drip`: answers one byte every 500 ms
 * - `reset`: sends half the reply, then a TCP RST
 * - `refuse`: stops listening, so connections are refused
 */
export type Fault = 'none' | 'silent' | 'garbage' | 'slow-drip' | 'reset' | 'refuse';

export interface VirtualMinerOptions {
  /** A 127.0.0.0/8 address of its own. */
  ip: string;
  /** cgminer API port (default 4028; 0 lets the kernel pick, read it back from `port`). */
  port?: number;
  /** A model of the catalog in @hashinsight/miners (default "Antminer S19 Pro"). */
  model?: string;
  seed?: number;
  /** Clock in ms, injectable so tests can move time (default Date.now). */
  now?: () => number;
}

/** The totals of the last `summary` or `stats` reply, so tests can compare what arrived elsewhere with what was sent. */
export interface MinerSnapshot extends Sample {
  /** `GHS 5s` in integer MH/s, as a reader of the reply computes it. */
  hashrateMhs: number;
  /** `GHS av` in integer MH/s. */
  hashrateAvgMhs: number;
}

const DRIP_INTERVAL_MS = 500;
/** Pause between the half reply and the RST, so the reader has taken the bytes and sees ECONNRESET, not EOF. */
const RESET_DELAY_MS = 50;

/** One simulated miner speaking the cgminer API on its own loopback address: one request per connection. */
export class VirtualMiner {
  readonly ip: string;
  readonly model: string;
  /** The control board id the miner reports as `miner_id` in `stats`. */
  readonly serial: string;
  readonly #telemetry: Telemetry;
  readonly #now: () => number;
  readonly #user: string;
  readonly #sockets = new Set<Socket>();
  readonly #closing = new Set<Promise<void>>();
  #port: number;
  #server: Server | undefined;
  #fault: Fault = 'none';
  #last: MinerSnapshot | undefined;

  constructor(options: VirtualMinerOptions) {
    if (!isLoopback(options.ip)) {
      throw new SimulatorError('SIMULATOR_NOT_LOOPBACK', `${LOOPBACK_ONLY}, not ${options.ip}`);
    }
    const model = findModel(options.model ?? 'Antminer S19 Pro');
    if (model === undefined) {
      throw new SimulatorError(
        'SIMULATOR_UNKNOWN_MODEL',
        `no model ${JSON.stringify(options.model)} in the catalog`,
      );
    }
    this.ip = options.ip;
    this.model = model.model;
    this.#port = options.port ?? 4028;
    this.#now = options.now ?? Date.now;
    this.#telemetry = new Telemetry(model, options.seed ?? 1, this.#now);
    this.#user = `hashinsight.${this.ip.replaceAll('.', 'x')}`;
    // Real control boards have unique 16-hex-digit ids; ours come from the address, so they are unique too.
    this.serial = `80${this.ip
      .split('.')
      .map((octet) => Number(octet).toString(16).padStart(2, '0'))
      .join('')}0000481c`;
  }

  get port(): number {
    return this.#port;
  }

  get fault(): Fault {
    return this.#fault;
  }

  /** `GHS 5s` of the last `summary` reply in integer MH/s (0 before the first). */
  get hashrateMhs(): number {
    return this.#last?.hashrateMhs ?? 0;
  }

  /** The totals the last `summary` or `stats` reply said, or undefined before the first. */
  snapshot(): MinerSnapshot | undefined {
    return this.#last === undefined ? undefined : { ...this.#last };
  }

  async start(): Promise<void> {
    if (this.#fault !== 'refuse') await this.#listen();
  }

  /** Switches behaviour for the connections that come next; `refuse` closes the listener, leaving it reopens it. */
  async setFault(fault: Fault): Promise<void> {
    const was = this.#fault;
    this.#fault = fault;
    if (fault === 'refuse' && was !== 'refuse') this.#stopListening();
    if (fault !== 'refuse' && was === 'refuse') await this.#listen();
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    this.#stopListening();
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(this.#closing);
  }

  async #listen(): Promise<void> {
    const server = createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(
          new SimulatorError('SIMULATOR_LISTEN_FAILED', `cannot listen on ${this.ip}:${this.#port}`, {
            cause,
          }),
        ),
      );
      server.listen(this.#port, this.ip, () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  #stopListening(): void {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    // close() stops accepting at once; its callback waits for open connections, which close() ends.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.#closing.add(closed);
    void closed.then(() => this.#closing.delete(closed));
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {}); // readers hang up mid-reply on purpose (deadlines, size limits)
    const fault = this.#fault;
    if (fault === 'silent') return;
    // Like cgminer: a single read is the request.
    socket.once('data', (request) => {
      if (fault === 'garbage') {
        socket.end(randomBytes(64).map((byte) => byte | 0x80)); // never a NUL, never JSON
        return;
      }
      const reply = Buffer.from(`${JSON.stringify(this.#answer(request.toString()))}\0`);
      if (fault === 'slow-drip') drip(socket, reply);
      else if (fault === 'reset') resetHalfway(socket, reply);
      else socket.end(reply);
    });
  }

  /** Remembers a sample as the last totals reported (`summary` and `stats` both carry GHS 5s, GHS av, Elapsed). */
  #report(sample: Sample): Sample {
    this.#last = {
      ...sample,
      hashrateMhs: Math.round(sample.ghs5s * 1000),
      hashrateAvgMhs: Math.round(sample.ghsAv * 1000),
    };
    return sample;
  }

  #answer(request: string): Reply {
    const when = Math.floor(this.#now() / 1000);
    let command: unknown;
    try {
      command = (JSON.parse(request) as { command?: unknown } | null)?.command;
    } catch {
      return errorReply(when, 23, 'Invalid JSON');
    }
    switch (command) {
      case 'summary':
        return summaryReply(this.#report(this.#telemetry.sample()));
      case 'version':
        return versionReply(when, this.model);
      case 'pools':
        return poolsReply(this.#telemetry.sample(), this.#user);
      case 'devs':
        return devsReply(this.#telemetry.sample());
      case 'stats':
        return statsReply(
          this.#report(this.#telemetry.sample()),
          this.model,
          this.#telemetry.nominalGhs,
          this.serial,
        );
      case undefined:
        return errorReply(when, 24, "Missing JSON 'command'");
      default:
        return errorReply(when, 14, 'Invalid command');
    }
  }
}

function drip(socket: Socket, reply: Buffer): void {
  let sent = 0;
  const timer = setInterval(() => {
    socket.write(reply.subarray(sent, ++sent));
    if (sent < reply.length) return;
    clearInterval(timer);
    socket.end();
  }, DRIP_INTERVAL_MS);
  socket.once('close', () => clearInterval(timer));
}

function resetHalfway(socket: Socket, reply: Buffer): void {
  socket.write(reply.subarray(0, reply.length >> 1));
  const timer = setTimeout(() => socket.resetAndDestroy(), RESET_DELAY_MS);
  socket.once('close', () => clearTimeout(timer));
}
