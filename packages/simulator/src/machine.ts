import type { MinerModel } from '@hashinsight/miners';
import type { Hardware } from './hardware.js';
import { type PoolRow, type PoolSetting, PoolTable } from './pools.js';
import { type Counters, type PowerMode, type Sample, Telemetry } from './telemetry.js';

/** Who the miner is: fixed for its life, derived from its address so that every miner differs. */
export interface Identity {
  ip: string;
  model: MinerModel;
  /** Control board id (16 hex digits), as bmminer reports `miner_id`. */
  serial: string;
  /** Lowercase, colon-separated, locally administered (02:...), so it can never be a real vendor's. */
  mac: string;
  hostname: string;
  /** Pool worker name. */
  worker: string;
}

/** The web or admin login of the miner (stock Antminer `root`/`root`). */
export interface Credentials {
  username: string;
  password: string;
}

/** The totals of the last reply that reported them, so tests can compare what arrived elsewhere with what was sent. */
export interface MinerSnapshot extends Sample {
  /** The short-window rate in integer MH/s, as a reader of the reply computes it. */
  hashrateMhs: number;
  /** The average rate in integer MH/s. */
  hashrateAvgMhs: number;
}

/** What the operator's commands changed, for tests to check. */
export interface MinerState {
  led: boolean;
  asleep: boolean;
  powerMode: PowerMode;
  /** Offline between a reboot command and the end of the boot. */
  rebooting: boolean;
  /** Reboots carried out since the simulator started it (a reboot asked for during one does not count again). */
  reboots: number;
  /** Times the mining program started: 1 at power-on, one more per restart of mining and per boot. */
  miningStarts: number;
  /** The power ceiling a command set (Whatsminer `adjust_power_limit`); absent until one does. */
  powerLimitW?: number;
  pools: Array<PoolSetting & { enabled: boolean; active: boolean }>;
}

/**
 * How the machine takes an operator's command (the simulator's control faults): it `works`, it is refused (`fail`:
 * every write throws ControlRefused, which the firmware's server answers as an error) or it is acknowledged and
 * quietly not carried out (`ignore`: the firmware answers OK, nothing changes, so the effect is never seen).
 */
export type ControlBehaviour = 'work' | 'fail' | 'ignore';

/** A write refused by the `control-fails` fault; the listener turns it into the firmware's error reply. */
export class ControlRefused extends Error {
  override readonly name = 'ControlRefused';
  constructor() {
    super('the miner refused the command (simulated control failure)');
  }
}

export interface MachineOptions {
  identity: Identity;
  hardware: Hardware;
  seed: number;
  now: () => number;
  credentials: Credentials;
  pools: PoolSetting[];
  /** The firmware keeps a sleeping miner asleep across a reboot (LuxOS curtailment, Antminer config). */
  sleepSurvivesReboot: boolean;
}

/**
 * The simulated hardware and firmware state of one miner, without any network: numbers from its Telemetry, and
 * what commands change (LED, sleep, power mode, pools, reboot). Personalities read it to build replies and call
 * its operations; the VirtualMiner owns the sockets and carries out a reboot it asks for.
 */
export class Machine {
  readonly identity: Identity;
  readonly hardware: Hardware;
  readonly credentials: Credentials;
  readonly pools: PoolTable;
  readonly #telemetry: Telemetry;
  readonly #now: () => number;
  readonly #sleepSurvivesReboot: boolean;
  #led = false;
  #rebooting = false;
  #powerLimitW: number | undefined;
  #runs = 1;
  #reboots = 0;
  /** Pools written to the config that take effect at the next boot (Avalon `setpool`). */
  #staged: PoolSetting[] | undefined;
  #last: MinerSnapshot | undefined;
  #onReboot: () => void = () => {};
  #controls: ControlBehaviour = 'work';

  constructor(options: MachineOptions) {
    this.identity = options.identity;
    this.hardware = options.hardware;
    this.credentials = options.credentials;
    this.#now = options.now;
    this.#sleepSurvivesReboot = options.sleepSurvivesReboot;
    this.#telemetry = new Telemetry(options.identity.model, options.hardware, options.seed, options.now);
    this.pools = new PoolTable(options.pools);
  }

  /** Unix seconds now, the STATUS `When`. */
  get when(): number {
    return Math.floor(this.#now() / 1000);
  }

  get led(): boolean {
    return this.#led;
  }

  get asleep(): boolean {
    return this.#telemetry.load.asleep;
  }

  get powerMode(): PowerMode {
    return this.#telemetry.load.powerMode;
  }

  get rebooting(): boolean {
    return this.#rebooting;
  }

  get powerLimitW(): number | undefined {
    return this.#powerLimitW;
  }

  /** Which run of the miner program this is: a restart or a reboot starts the next (btminer forgets its tokens). */
  get runs(): number {
    return this.#runs;
  }

  /** The numbers now; each call draws new 5 s noise. */
  sample(): Sample {
    return this.#telemetry.sample();
  }

  counters(): Counters {
    return this.#telemetry.counters();
  }

  /** The pools as a `pools` reply lists them now. */
  poolRows(): PoolRow[] {
    return this.pools.rows(this.counters());
  }

  /**
   * Remembers a sample as the last totals reported. Replies print its rates as GH/s with two decimals or as MH/s;
   * either way a reader rounds them to the same integer MH/s as here.
   */
  report(sample: Sample): Sample {
    this.#last = {
      ...sample,
      hashrateMhs: Math.round(sample.ghs5s * 1000),
      hashrateAvgMhs: Math.round(sample.ghsAv * 1000),
    };
    return sample;
  }

  snapshot(): MinerSnapshot | undefined {
    return this.#last === undefined ? undefined : structuredClone(this.#last);
  }

  state(): MinerState {
    return {
      led: this.#led,
      asleep: this.asleep,
      powerMode: this.powerMode,
      rebooting: this.#rebooting,
      reboots: this.#reboots,
      miningStarts: this.#runs,
      ...(this.#powerLimitW === undefined ? {} : { powerLimitW: this.#powerLimitW }),
      pools: this.poolRows().map(({ url, user, password, enabled, active }) => ({
        url,
        user,
        password,
        enabled,
        active,
      })),
    };
  }

  /** From now on, operator commands work, fail or are ignored (see ControlBehaviour). */
  setControls(behaviour: ControlBehaviour): void {
    this.#controls = behaviour;
  }

  /** Every operator write goes through here, so the control faults apply to all firmware alike. */
  #write(apply: () => void): void {
    if (this.#controls === 'fail') throw new ControlRefused();
    if (this.#controls === 'work') apply();
  }

  setLed(on: boolean): void {
    this.#write(() => {
      this.#led = on;
    });
  }

  setAsleep(asleep: boolean): void {
    this.#write(() => this.#setAsleep(asleep));
  }

  #setAsleep(asleep: boolean): void {
    this.#telemetry.setLoad({ ...this.#telemetry.load, asleep });
  }

  setPowerMode(powerMode: PowerMode): void {
    this.#write(() => this.#telemetry.setLoad({ ...this.#telemetry.load, powerMode }));
  }

  /** A ceiling on the wall power, kept in the config; the firmware reports it back. */
  setPowerLimit(watts: number): void {
    this.#write(() => {
      this.#powerLimitW = watts;
    });
  }

  /**
   * A new web/admin login: the old one stops working at once (the servers ask for the login on every request). The
   * credentials object is the one the servers read, so it is changed in place.
   */
  setLogin(username: string, password: string): void {
    this.#write(() => Object.assign(this.credentials, { username, password }));
  }

  /** The `board-failure` fault: one board stops hashing and its chips vanish; undefined repairs it. */
  setFailedBoard(index: number | undefined): void {
    const { failedBoard: _, ...load } = this.#telemetry.load;
    this.#telemetry.setLoad(index === undefined ? load : { ...load, failedBoard: index });
  }

  /** The miner program restarts with its config (bmminer after `set_miner_conf`): uptime and counts start over. */
  restartMining(): void {
    this.#write(() => this.#restart());
  }

  #restart(): void {
    this.#runs += 1;
    this.#telemetry.restart();
    this.pools.resetCounts();
  }

  configurePools(pools: PoolSetting[]): void {
    this.#write(() => this.pools.configure(pools, this.counters()));
  }

  /** Pools saved for the next boot, as Avalon's `setpool` does ("Please reboot miner to make config work"). */
  stagePools(pools: PoolSetting[]): void {
    this.#write(() => {
      this.#staged = pools;
    });
  }

  /** Asks the owner to take the miner offline; it calls `boot()` when the reboot is over. */
  reboot(): void {
    this.#write(() => {
      if (this.#rebooting) return;
      this.#rebooting = true;
      this.#reboots += 1;
      this.#onReboot();
    });
  }

  /** Sets who carries out reboots (the VirtualMiner, which owns the sockets). */
  onReboot(handler: () => void): void {
    this.#onReboot = handler;
  }

  /** The end of a reboot: staged config applied, LED off, counts and uptime from zero. */
  boot(): void {
    this.#rebooting = false;
    this.#led = false;
    if (!this.#sleepSurvivesReboot) this.#setAsleep(false);
    this.#restart();
    if (this.#staged !== undefined) this.pools.configure(this.#staged, this.counters());
    this.#staged = undefined;
  }
}
