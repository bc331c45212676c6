import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { type CgminerRequest, encodeReply, joined, parseRequest, refusal } from './cgminer/index.js';
import { SimulatorError } from './errors.js';
import { chooseHardware, defaultPools, identityOf } from './identity.js';
import { isLoopback, LOOPBACK_ONLY } from './loopback.js';
import { ControlRefused, type Credentials, Machine, type MinerSnapshot, type MinerState } from './machine.js';
import type { Firmware, Personality, PersonalityName } from './personalities/index.js';
import { AntminerCgi, DigestGuard, tokenApiListener, webListener } from './web/index.js';

/**
 * How the miner misbehaves, from now on:
 * - `silent`: accepts cgminer-API connections and never answers
 * - `garbage`: answers random bytes, then closes
 * - `slow-drip`: answers one byte every 500 ms
 * - `reset`: sends half the reply, then a TCP RST (the web CGI resets each request before answering)
 * - `refuse`: stops listening (API and web), so connections are refused
 * - `wrong-password`: the web CGI and btminer's privileged API refuse every credential
 * - `board-failure`: one hash board reports no rate and no chips (the totals drop with it)
 * - `control-fails`: every operator command is refused with the firmware's error reply (web CGI 503, btminer
 *   Code 132, cgminer STATUS E); reads still work
 * - `ignore-control`: every operator command is answered OK and not carried out, so its effect never shows
 */
export type Fault =
  | 'none'
  | 'silent'
  | 'garbage'
  | 'slow-drip'
  | 'reset'
  | 'refuse'
  | 'wrong-password'
  | 'board-failure'
  | 'control-fails'
  | 'ignore-control';

export interface VirtualMinerOptions {
  /** A 127.0.0.0/8 address of its own. */
  ip: string;
  /** cgminer API port (default 4028; 0 lets the kernel pick, read it back from `port`). */
  port?: number;
  /**
   * A model of the catalog in @hashinsight/miners. Default: "Antminer S19 Pro", or with a personality one of its
   * brand's models picked by the seed.
   */
  model?: string;
  /** The firmware it runs (default: the model maker's stock firmware). */
  personality?: PersonalityName;
  seed?: number;
  /** Clock in ms, injectable so tests can move time (default Date.now). */
  now?: () => number;
  /**
   * Port of the miner's web server on its address; absent: none. The `antminer` personality serves the stock web
   * CGI (HTTP Digest), `braiins` the BOS REST API and `vnish` its web API (token logins). 0 lets the kernel pick,
   * read it back from `httpPort`.
   */
  httpPort?: number;
  /**
   * Web login, Avalon's admin login for `setpool` and Whatsminer's admin password (default as shipped: root/root,
   * Whatsminer admin/admin).
   */
  credentials?: Credentials;
  /** How long a reboot keeps the miner offline before it listens again with uptime 0 (default 5000 ms). */
  rebootMs?: number;
}

export type { MinerSnapshot, MinerState } from './machine.js';

const DRIP_INTERVAL_MS = 500;
/** Pause between the half reply and the RST, so the reader has taken the bytes and sees ECONNRESET, not EOF. */
const RESET_DELAY_MS = 50;
const DEFAULT_REBOOT_MS = 5000;
const REALM = 'antMiner Configuration';

/**
 * One simulated miner on its own loopback address: its firmware's cgminer API (one request per connection) and,
 * for a stock Antminer given an `httpPort`, its web CGI. It goes offline while rebooting and on `refuse`.
 */
export class VirtualMiner {
  readonly ip: string;
  readonly model: string;
  /** The control board id the miner reports (`miner_id` in Antminer `stats`). */
  readonly serial: string;
  readonly personality: PersonalityName;
  readonly #machine: Machine;
  readonly #firmware: Firmware;
  readonly #personality: Personality;
  readonly #credentials: Credentials;
  readonly #rebootMs: number;
  /** The web server's request handler, kept across reboots like the miner's config. */
  readonly #webListener: RequestListener | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #closing = new Set<Promise<void>>();
  #port: number;
  #httpPort: number | undefined;
  #api: Server | undefined;
  #web: ReturnType<typeof createHttpServer> | undefined;
  #fault: Fault = 'none';
  #closed = false;
  #bootTimer: NodeJS.Timeout | undefined;
  /** Listener changes run one after another: a reboot, a fault and a close may overlap. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: VirtualMinerOptions) {
    if (!isLoopback(options.ip)) {
      throw new SimulatorError('SIMULATOR_NOT_LOOPBACK', `${LOOPBACK_ONLY}, not ${options.ip}`);
    }
    const seed = options.seed ?? 1;
    const { model, personality } = chooseHardware(seed, options.model, options.personality);
    const identity = identityOf(options.ip, model);
    this.ip = options.ip;
    this.model = model.model;
    this.serial = identity.serial;
    this.personality = personality.name;
    this.#personality = personality;
    this.#port = options.port ?? 4028;
    const hasWeb = personality.name === 'antminer' || personality.webApi !== undefined;
    this.#httpPort = hasWeb ? options.httpPort : undefined;
    this.#credentials = {
      ...(options.credentials ?? personality.defaultLogin ?? { username: 'root', password: 'root' }),
    };
    this.#rebootMs = options.rebootMs ?? DEFAULT_REBOOT_MS;
    this.#machine = new Machine({
      identity,
      hardware: personality.hardware(model.model),
      seed,
      now: options.now ?? Date.now,
      credentials: this.#credentials,
      pools: defaultPools(identity.worker),
      sleepSurvivesReboot: personality.sleepSurvivesReboot,
    });
    this.#firmware = personality.firmware(this.#machine);
    this.#machine.onReboot(() => this.#reboot());
    if (this.#httpPort !== undefined) {
      const login = () => (this.#fault === 'wrong-password' ? undefined : this.#credentials);
      const resetting = () => this.#fault === 'reset';
      const machine = this.#machine;
      if (personality.webApi !== undefined) {
        const api = personality.webApi(machine);
        this.#webListener = tokenApiListener(api, login, () => machine.runs, resetting);
      } else {
        const guard = new DigestGuard(REALM, options.now ?? Date.now);
        this.#webListener = webListener(new AntminerCgi(machine), guard, login, resetting);
      }
    }
  }

  get port(): number {
    return this.#port;
  }

  /** The web CGI's port, when the miner has one. */
  get httpPort(): number | undefined {
    return this.#httpPort;
  }

  get fault(): Fault {
    return this.#fault;
  }

  /** The short-window rate of the last reply that reported totals, in integer MH/s (0 before the first). */
  get hashrateMhs(): number {
    return this.#machine.snapshot()?.hashrateMhs ?? 0;
  }

  /** The totals the last `summary` or `stats` reply said (whichever the firmware reports them in). */
  snapshot(): MinerSnapshot | undefined {
    return this.#machine.snapshot();
  }

  /** What commands have changed: LED, sleep, power mode, pools, whether it is rebooting. */
  state(): MinerState {
    return this.#machine.state();
  }

  async start(): Promise<void> {
    this.#closed = false;
    await this.#reconcile();
  }

  /** Switches behaviour from now on; `refuse` closes the listeners, leaving it reopens them. */
  async setFault(fault: Fault): Promise<void> {
    this.#fault = fault;
    // The middle board fails (the first of a single-board machine).
    this.#machine.setFailedBoard(fault === 'board-failure' ? this.#machine.hardware.boards >> 1 : undefined);
    this.#machine.setControls(
      fault === 'control-fails' ? 'fail' : fault === 'ignore-control' ? 'ignore' : 'work',
    );
    await this.#reconcile();
  }

  /** Stops listening and drops every open connection. A reboot in progress ends at once, offline. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#bootTimer !== undefined) {
      clearTimeout(this.#bootTimer);
      this.#bootTimer = undefined;
      this.#machine.boot();
    }
    await this.#reconcile();
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(this.#closing);
  }

  /** Goes offline now (after the reply in flight), and back after `rebootMs` with uptime and counters at 0. */
  #reboot(): void {
    void this.#reconcile().catch(() => {});
    this.#bootTimer = setTimeout(() => {
      this.#bootTimer = undefined;
      this.#machine.boot();
      // A port taken meanwhile leaves the miner offline, as a real one whose address was taken would be.
      void this.#reconcile().catch(() => {});
    }, this.#rebootMs);
  }

  /** Brings the listeners in line with the state: open unless closed, refusing or rebooting. */
  #reconcile(): Promise<void> {
    const run = this.#queue.then(() => this.#apply());
    this.#queue = run.catch(() => {});
    return run;
  }

  async #apply(): Promise<void> {
    const wanted = !this.#closed && this.#fault !== 'refuse' && !this.#machine.rebooting;
    if (!wanted) {
      this.#stop(this.#api);
      this.#stop(this.#web);
      // Closing drops keep-alive connections too; a reboot lets the response in flight (reboot.cgi's) go out.
      if (this.#closed) this.#web?.closeAllConnections();
      this.#api = undefined;
      this.#web = undefined;
      return;
    }
    if (this.#api === undefined) {
      const api = createServer((socket) => this.#accept(socket));
      this.#port = await this.#listen(api, this.#port);
      this.#api = api;
    }
    if (this.#httpPort !== undefined && this.#webListener !== undefined && this.#web === undefined) {
      const web = createHttpServer(this.#webListener);
      this.#httpPort = await this.#listen(web, this.#httpPort);
      this.#web = web;
    }
  }

  async #listen(server: Server, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(
          new SimulatorError('SIMULATOR_LISTEN_FAILED', `cannot listen on ${this.ip}:${port}`, { cause }),
        ),
      );
      server.listen(port, this.ip, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  #stop(server: Server | undefined): void {
    if (server === undefined) return;
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
      const reply = this.#answer(request.toString('utf8'));
      if (fault === 'slow-drip') drip(socket, reply);
      else if (fault === 'reset') resetHalfway(socket, reply);
      else socket.end(reply);
    });
  }

  #answer(raw: string): Buffer {
    try {
      return this.#reply(raw);
    } catch (error) {
      if (!(error instanceof ControlRefused)) throw error;
      // btminer answers its own commands flat; the cgminer family with a STATUS E envelope.
      const { when } = this.#machine;
      const reply =
        this.#personality.name === 'whatsminer'
          ? { STATUS: 'E', When: when, Code: 132, Msg: 'command failed', Description: '' }
          : refusal(when, 132, 'command failed', this.#personality.description);
      return encodeReply(reply, 'json');
    }
  }

  #reply(raw: string): Buffer {
    const login = this.#fault === 'wrong-password' ? undefined : this.#credentials;
    const own = this.#firmware.answerRaw?.(raw, login);
    if (own !== undefined) return encodeReply(own, 'json');
    const request = parseRequest(raw, this.#personality.forms);
    if ('code' in request) return encodeReply(this.#firmware.answer(request), 'json');
    if (request.command.includes('+') && this.#personality.joinable.size > 0) {
      return encodeReply(this.#joined(request), 'json');
    }
    return encodeReply(this.#firmware.answer(request), request.form);
  }

  /** `summary+pools`: each report command answered in turn; others are refused in their own member. */
  #joined(request: CgminerRequest) {
    const commands = [...new Set(request.command.split('+'))];
    return joined(
      commands.map((command) => [
        command,
        this.#personality.joinable.has(command)
          ? this.#firmware.answer({ command, form: 'json' })
          : refusal(
              this.#machine.when,
              45,
              `Access denied to '${command}' command`,
              this.#personality.description,
            ),
      ]),
    );
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
