import type { MinerModel } from '@hashinsight/miners';
import type { Hardware } from './hardware.js';
import { seededRandom } from './random.js';

/** How hard the operator runs the boards. */
export type PowerMode = 'normal' | 'low' | 'high';

/** What decides the load: the operator's settings and the board that failed, if one did. */
export interface Load {
  powerMode: PowerMode;
  asleep: boolean;
  /** Index of a hash board that makes nothing and shows no chips (the `board-failure` fault). */
  failedBoard?: number;
}

/** One hash board at one moment. Rates are GH/s with two decimals, temperatures whole °C. */
export interface BoardSample {
  ghs5s: number;
  ghsAv: number;
  /** What its chips make at the current settings: 0 asleep or failed. */
  idealGhs: number;
  /** Chips the controller finds: every chip, or none on a failed board. */
  chipsFound: number;
  /** Chips hashing now: none while asleep. */
  chipsHashing: number;
  chipTempC: number;
  boardTempC: number;
  inletTempC: number;
  outletTempC: number;
  powerW: number;
}

/** What a miner reports at one moment: the values of a bmminer `summary` (in its units) and the hardware's. */
export interface Sample {
  /** Unix seconds, the STATUS `When`. */
  when: number;
  elapsed: number;
  ghs5s: number;
  ghsAv: number;
  accepted: number;
  rejected: number;
  stale: number;
  /** Sum of the boards' ideal rates: 0 asleep, without a failed board. */
  idealGhs: number;
  /** What the boards are set to make in this power mode, asleep or not (the firmware's rated rate). */
  ratedGhs: number;
  /** Wall power, W. */
  powerW: number;
  fansRpm: number[];
  /** Air at the intake, °C. */
  ambientC: number;
  asleep: boolean;
  powerMode: PowerMode;
  boards: BoardSample[];
}

/** Shares found so far: what a pool credits and a summary counts. */
export interface Counters {
  accepted: number;
  rejected: number;
  stale: number;
}

/** Share difficulty the pool hands out; with the hashrate it sets how fast shares are found. */
export const SHARE_DIFFICULTY = 524_288;

/** Hashrate and power of each mode relative to stock; low trades hashrate for efficiency, high the reverse. */
const MODES: Readonly<Record<PowerMode, { hash: number; power: number }>> = {
  low: { hash: 0.8, power: 0.7 },
  normal: { hash: 1, power: 1 },
  high: { hash: 1.1, power: 1.2 },
};

/** A sleeping miner's controller, network and idle fans still draw a little. */
const ASLEEP_W = 15;
/** Share of the wall power that is not the boards': PSU losses, fans, controller. */
const OVERHEAD = 0.07;
const IDLE_FAN_RPM = 1500;

/**
 * A running miner's numbers, all following from the seed, the clock and the load: each board's 5 s rate wanders
 * within ±2% of its ideal on every sample; `GHS av` is the work done since start over uptime (so it moves slowly
 * after a mode change); share counters grow with that work. Power, temperatures and fans follow the power mode
 * (a sleeping miner cools down and idles its fans); per-miner offsets make units differ. Tests replay it all.
 */
export class Telemetry {
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #nominalGhs: number;
  readonly #nominalW: number;
  readonly #hardware: Hardware;
  /** This unit against its model: binning, PSU, airflow. Drawn once. */
  readonly #unit: { hash: number; power: number; ambientC: number; boardC: number[]; fans: number[] };
  #load: Load = { powerMode: 'normal', asleep: false };
  #startedAt: number;
  /** GH·s done since start, up to `#workAt`. */
  #work = 0;
  #workAt: number;

  constructor(model: MinerModel, hardware: Hardware, seed: number, now: () => number) {
    this.#random = seededRandom(seed);
    this.#now = now;
    this.#hardware = hardware;
    this.#nominalGhs = model.hashrateTh * 1000;
    this.#nominalW = model.powerW;
    const spread = (width: number) => (this.#random() - 0.5) * width;
    this.#unit = {
      hash: 1 + spread(0.01),
      power: 1 + spread(0.03),
      ambientC: 25 + Math.round(spread(4)),
      boardC: Array.from({ length: hardware.boards }, () => Math.round(spread(4))),
      fans: Array.from({ length: hardware.fans }, () => 1 + spread(0.06)),
    };
    this.#startedAt = now();
    this.#workAt = this.#startedAt;
  }

  get load(): Load {
    return { ...this.#load };
  }

  /** Changes the load from now on; the work done so far keeps its old rate. */
  setLoad(load: Load): void {
    this.#fold();
    this.#load = { ...load };
  }

  /** The miner program starts over (reboot, new config): uptime, average and share counters from zero. */
  restart(): void {
    this.#startedAt = this.#now();
    this.#workAt = this.#startedAt;
    this.#work = 0;
  }

  /** Shares found since start, without drawing any noise. */
  counters(): Counters {
    const accepted = Math.floor((this.#workNow() * 1e9) / (SHARE_DIFFICULTY * 2 ** 32));
    return { accepted, rejected: Math.floor(accepted / 400), stale: Math.floor(accepted / 4000) };
  }

  sample(): Sample {
    const now = this.#now();
    const { powerMode, asleep } = this.#load;
    const mode = MODES[powerMode];
    const ideals = this.#idealGhs();
    const idealGhs = sum(ideals);
    const average = this.#averageGhs(now);
    const alive = ideals.filter((ghs) => ghs > 0).length;
    const powerW = asleep
      ? ASLEEP_W
      : Math.round(
          this.#nominalW *
            mode.power *
            this.#unit.power *
            (OVERHEAD + ((1 - OVERHEAD) * alive) / this.#hardware.boards),
        );
    const heat = asleep ? 0 : mode.power;
    const ambientC = this.#unit.ambientC;
    const boards = ideals.map((ideal, index): BoardSample => {
      const offset = this.#unit.boardC[index] ?? 0;
      const hot = ideal > 0 ? heat : 0;
      return {
        ghs5s: ideal > 0 ? round2(ideal * (1 + (this.#random() - 0.5) * 0.04)) : 0,
        ghsAv: idealGhs > 0 ? round2((average * ideal) / idealGhs) : 0,
        idealGhs: round2(ideal),
        chipsFound: index === this.#load.failedBoard ? 0 : this.#hardware.chipsPerBoard,
        chipsHashing: ideal > 0 ? this.#hardware.chipsPerBoard : 0,
        chipTempC: ambientC + 3 + Math.round(44 * hot) + offset,
        boardTempC: ambientC + 2 + Math.round(35 * hot) + offset,
        inletTempC: ambientC + 1 + Math.round(20 * hot) + offset,
        outletTempC: ambientC + 2 + Math.round(30 * hot) + offset,
        powerW: ideal > 0 ? Math.round((powerW * (1 - OVERHEAD)) / alive) : 0,
      };
    });
    const fanRpm = asleep ? IDLE_FAN_RPM : 3000 + 2800 * mode.power;
    const counters = this.counters();
    return {
      when: Math.floor(now / 1000),
      elapsed: Math.floor((now - this.#startedAt) / 1000),
      ghs5s: round2(sum(boards.map((board) => board.ghs5s))),
      ghsAv: average,
      ...counters,
      idealGhs: round2(idealGhs),
      ratedGhs: round2(this.#nominalGhs * mode.hash),
      powerW,
      // Fans report in steps of 60 rpm, as bmminer's do.
      fansRpm: this.#unit.fans.map((factor) => Math.round((fanRpm * factor) / 60) * 60),
      ambientC,
      asleep,
      powerMode,
      boards,
    };
  }

  /** Each board's ideal rate now (GH/s, unrounded). */
  #idealGhs(): number[] {
    const { powerMode, asleep, failedBoard } = this.#load;
    const perBoard = (this.#nominalGhs * MODES[powerMode].hash) / this.#hardware.boards;
    return Array.from({ length: this.#hardware.boards }, (_, index) =>
      asleep || index === failedBoard ? 0 : perBoard,
    );
  }

  /** The rate shares are found at now: the ideal of this unit, without the 5 s noise. */
  #rateGhs(): number {
    return sum(this.#idealGhs()) * this.#unit.hash;
  }

  #workNow(): number {
    return this.#work + (this.#rateGhs() * (this.#now() - this.#workAt)) / 1000;
  }

  #fold(): void {
    this.#work = this.#workNow();
    this.#workAt = this.#now();
  }

  /** `GHS av`: work since start over uptime; right after a start, the current rate. */
  #averageGhs(now: number): number {
    const seconds = (now - this.#startedAt) / 1000;
    return round2(seconds > 0 ? this.#workNow() / seconds : this.#rateGhs());
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Miners print hashrates with two decimals. */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
