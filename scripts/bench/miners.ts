// `npm run bench -- miners`: (1) how many recorded cgminer replies packages/miners decodes and parses per second on
// one core, (2) how many cgminer requests a 5,000-miner simulator, in its own process, answers over loopback.
// Figures for the README's Performance table; all traffic stays inside 127.77.0.0/16. Linux only (reads /proc).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import {
  type CgminerReply,
  cgminerCommand,
  type Driver,
  driverById,
  type MinerClients,
  MinerError,
  parseSummary,
  splitMultiReply,
} from '@hashinsight/miners';

const ROOT = resolve(import.meta.dirname, '..', '..');
// The shared corpus, read in place as the miners tests read it (HASHINSIGHT_FIXTURES_DIR overrides).
const CORPUS = resolve(
  process.env.HASHINSIGHT_FIXTURES_DIR || join(ROOT, '..', 'shared', 'fixtures', 'asic'),
);
const SIMULATOR_CLI = join(ROOT, 'packages', 'simulator', 'dist', 'cli.js');

// Part 1: every loop runs a warm-up (so the JIT has settled), then a measured second; both bounded in count too.
const WARM_UP_S = 0.2;
const MEASURE_S = 1;
const MAX_ITERATIONS = 5_000_000;
const BATCH = 32;

// Part 2.
const MINERS = 5000;
const CIDR_PREFIX = '127.77.'; // 127.77.0.0/16, and nothing else
const PORT = 4028;
const IN_FLIGHT = 256;
const LOAD_WARM_UP_S = 1;
const LOAD_S = 8;
const MAX_REQUESTS = 1_000_000;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

const NUL = Buffer.from([0]);
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
// Other processes on the machine above this many cores make the figures of a part unreliable.
const BUSY_OTHERS_WARNING = 0.25;

console.log(machineLine());
console.log();
await parsingBench();
console.log();
await simulatorBench();

// ---------------------------------------------------------------------------------------------------------------
// 1. Replies parsed per second

interface Rate {
  perSecond: number;
  microseconds: number;
}

async function parsingBench(): Promise<void> {
  console.log(`1. cgminer replies decoded and parsed, single core (${MEASURE_S} s per loop after a warm-up)`);
  console.log(
    '   decode     = the transport decode through the exported splitMultiReply: NUL strip, repairJson (only',
  );
  console.log(
    '                when the reply is broken or holds quoted nan/inf), JSON.parse, STATUS envelope check.',
  );
  console.log('                index.ts exports no single-reply decoder, so a');
  console.log(
    '                single reply is wrapped as the lone member of a joined reply (+20 bytes, one Map).',
  );
  console.log('   JSON.parse = Buffer.toString + JSON.parse of the same bytes only, for comparison.');
  console.log(
    `   corpus: ${CORPUS} (files read in place; some are pretty-printed, so more bytes than on the wire)`,
  );
  console.log();
  const busy = busySince();
  console.log(
    `   ${pad('reply', 56)}${left('bytes', 7)}${left('decode/s', 11)}${left('µs', 8)}${left('JSON.parse/s', 14)}${left('µs', 8)}`,
  );
  const replies: { path: string; command?: string; note?: string }[] = [
    { path: 'antminer-bmminer/summary.json', command: 'summary' },
    { path: 'antminer-bmminer/pools.json', command: 'pools' },
    { path: 'antminer-bmminer/stats.json', command: 'stats', note: 'S19 Pro' },
    { path: 'antminer-bmminer/stats.s17pro.json', command: 'stats' },
    { path: 'antminer-bmminer/stats.s9.invalid.json', command: 'stats', note: 'needs repair' },
    { path: 'avalon/stats.a1566.json', command: 'stats' },
    { path: 'avalon/multi.pools+summary+stats.a10xx.json', note: 'joined, 3' },
  ];
  for (const { path, command, note } of replies) {
    const file = readFileSync(join(CORPUS, path));
    const raw = command === undefined ? Buffer.concat([file, NUL]) : joined(command, file);
    for (const [, member] of splitMultiReply(raw)) if (member instanceof MinerError) throw member;
    const decode = await rate(() => splitMultiReply(raw));
    const onWire = Buffer.concat([file, NUL]);
    const plain = validJson(file)
      ? await rate(() => JSON.parse(onWire.toString('utf8', 0, file.length)))
      : undefined;
    console.log(
      `   ${pad(note ? `${path} (${note})` : path, 56)}${left(count(file.length), 7)}${left(count(decode.perSecond), 11)}` +
        `${left(decimal(decode.microseconds), 8)}${left(plain ? count(plain.perSecond) : 'n/a', 14)}` +
        `${left(plain ? decimal(plain.microseconds) : '', 8)}`,
    );
  }

  console.log();
  console.log(
    '   driver parse = driver.read (or parseSummary) over in-memory clients; no sockets. "pre-decoded":',
  );
  console.log(
    '   the clients hand out replies decoded once. "decode + parse": they decode the recorded bytes on',
  );
  console.log('   every read, as above, so the figure is the whole per-poll CPU cost short of the socket.');
  console.log();
  console.log(
    `   ${pad('read', 56)}${left('replies', 7)}${left('pre-dec/s', 11)}${left('µs', 8)}${left('decode+parse/s', 16)}${left('µs/read', 9)}${left('µs/reply', 9)}`,
  );
  const antminerStock = driverNamed('antminer-stock');
  const avalon = driverNamed('avalon-cgminer');
  const stockRaws = [
    joined('stats', readFileSync(join(CORPUS, 'antminer-bmminer/stats.json'))),
    joined('pools', readFileSync(join(CORPUS, 'antminer-bmminer/pools.json'))),
  ];
  const avalonRaws = [wire('avalon/multi.pools+summary+stats.a10xx.json')];
  const summaryRaw = joined('summary', readFileSync(join(CORPUS, 'antminer-bmminer/summary.json')));
  const summary = member(splitMultiReply(summaryRaw), 'summary');
  const reads: { label: string; replies: number; decoded: () => unknown; raw: () => unknown }[] = [
    await readCase('antminer-stock read: bmminer stats.json + pools.json', antminerStock, stockRaws),
    await readCase('avalon-cgminer read: a10xx joined reply', avalon, avalonRaws),
    {
      label: 'parseSummary: antminer-bmminer/summary.json',
      replies: 1,
      decoded: () => parseSummary(summary),
      raw: () => parseSummary(member(splitMultiReply(summaryRaw), 'summary')),
    },
  ];
  for (const { label, replies, decoded, raw } of reads) {
    const parseOnly = await rate(decoded);
    const whole = await rate(raw);
    console.log(
      `   ${pad(label, 56)}${left(String(replies), 7)}${left(count(parseOnly.perSecond), 11)}` +
        `${left(decimal(parseOnly.microseconds), 8)}${left(count(whole.perSecond), 16)}` +
        `${left(decimal(whole.microseconds), 9)}${left(decimal(whole.microseconds / replies), 9)}`,
    );
  }
  console.log(busy.line());
}

/**
 * One driver read over recorded replies: `raws` are joined replies whose members answer the driver's commands (a
 * command without one is refused with STATUS E, as cgminer refuses it). Replies counts the answered commands.
 */
async function readCase(label: string, driver: Driver, raws: Buffer[]) {
  const decodeAll = () => new Map(raws.flatMap((raw) => [...splitMultiReply(raw)]));
  const decoded = decodeAll();
  const answered = new Set<string>();
  await driver.read(recordedClients(decoded, answered));
  return {
    label,
    replies: answered.size,
    decoded: () => driver.read(recordedClients(decoded)),
    raw: () => driver.read(recordedClients(decodeAll())),
  };
}

function recordedClients(
  replies: Map<string, CgminerReply | MinerError>,
  answered?: Set<string>,
): MinerClients {
  return {
    ip: '10.0.0.1',
    async cgminer(command) {
      const reply = member(replies, command);
      answered?.add(command);
      return reply;
    },
  };
}

function member(replies: Map<string, CgminerReply | MinerError>, command: string): CgminerReply {
  const reply = replies.get(command) ?? new MinerError('MINER_COMMAND_FAILED', 'Code 14: Invalid command');
  if (reply instanceof MinerError) throw reply;
  return reply;
}

/** A single recorded reply as the lone member of a joined reply, `{"stats":[<reply>],"id":1}` + NUL. */
function joined(command: string, file: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{"${command}":[`), file, Buffer.from('],"id":1}'), NUL]);
}

/** A corpus file as the miner puts it on the wire: its bytes and cgminer's NUL terminator. */
function wire(path: string): Buffer {
  return Buffer.concat([readFileSync(join(CORPUS, path)), NUL]);
}

function validJson(file: Buffer): boolean {
  try {
    JSON.parse(file.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

function driverNamed(id: string): Driver {
  const driver = driverById(id);
  if (driver === undefined) throw new Error(`no driver ${id} in the registry`);
  return driver;
}

async function rate(run: () => unknown): Promise<Rate> {
  await loop(run, WARM_UP_S);
  return loop(run, MEASURE_S);
}

/** Calls `run` in batches until `seconds` have passed or MAX_ITERATIONS ran, awaiting it when it is async. */
async function loop(run: () => unknown, seconds: number): Promise<Rate> {
  const start = performance.now();
  const until = start + seconds * 1000;
  let iterations = 0;
  let now = start;
  while (now < until && iterations < MAX_ITERATIONS) {
    for (let i = 0; i < BATCH; i++) {
      const result = run();
      if (result instanceof Promise) await result;
    }
    iterations += BATCH;
    now = performance.now();
  }
  const elapsedMs = now - start;
  return { perSecond: (iterations * 1000) / elapsedMs, microseconds: (elapsedMs * 1000) / iterations };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Simulator capacity

async function simulatorBench(): Promise<void> {
  console.log(
    `2. simulator capacity: ${count(MINERS)} virtual miners in their own process on ${CIDR_PREFIX}0.0/16`,
  );
  const needed = MINERS + 2 * IN_FLIGHT + 256;
  const files = openFiles();
  if (files.soft < needed) {
    console.log(
      `   open-file limit ${files.soft} is too low: ${count(MINERS)} listeners need about ${needed}.`,
    );
    console.log('   Raise it (`ulimit -n 20000`) and run again; skipped.');
    process.exitCode = 1;
    return;
  }
  const startedAt = performance.now();
  const simulator = spawn(
    process.execPath,
    [SIMULATOR_CLI, '--count', String(MINERS), '--cidr', `${CIDR_PREFIX}0.0/16`, '--port', String(PORT)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const hosts = await ready(simulator);
    const pid = simulator.pid as number;
    console.log(
      `   started: ${hosts[0]}-${hosts.at(-1)} port ${PORT} ready in ${seconds(performance.now() - startedAt)} s` +
        ` (pid ${pid}, open-file limit ${files.soft})`,
    );
    console.log(
      `   load: ${IN_FLIGHT} requests in flight from this process, cgminerCommand(ip, 'summary') round-robin over` +
        ` all ${count(MINERS)} IPs, timeout 5 s; ${LOAD_WARM_UP_S} s warm-up, then ${LOAD_S} s measured`,
    );
    await load(hosts, LOAD_WARM_UP_S);
    const simulatorBefore = cpuSeconds(pid);
    const busy = busySince();
    const result = await load(hosts, LOAD_S);
    const simulatorCpu = cpuSeconds(pid) - simulatorBefore;
    const selfCpu = busy.self();
    const errors = [...result.errors].map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
    console.log(
      `   answered: ${count(result.answered / result.elapsedS)} requests/s (${count(result.answered)} in` +
        ` ${seconds(result.elapsedS * 1000)} s); errors: ${errors}`,
    );
    console.log(
      `   latency: p50 ${decimal(result.p50)} ms, p99 ${decimal(result.p99)} ms, max ${decimal(result.max)} ms`,
    );
    console.log(
      `   CPU: simulator ${simulatorCpu.toFixed(2)} s (${((simulatorCpu / result.elapsedS) * 100).toFixed(0)} % of a` +
        ` core, ${decimal((simulatorCpu * 1e6) / result.answered)} µs per answer); this client ${selfCpu.toFixed(2)} s` +
        ` (${((selfCpu / result.elapsedS) * 100).toFixed(0)} % of a core, ${decimal((selfCpu * 1e6) / result.answered)} µs per request)`,
    );
    console.log(busy.line(simulatorCpu));
  } catch (error) {
    console.log(`   failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    console.log(`   ${await stop(simulator)}`);
  }
}

interface Load {
  answered: number;
  elapsedS: number;
  errors: Map<string, number>;
  p50: number;
  p99: number;
  max: number;
}

/** IN_FLIGHT loops of one request after another for `seconds` (or MAX_REQUESTS); the last ones are let finish. */
async function load(hosts: string[], seconds: number): Promise<Load> {
  const latencies = new Float64Array(MAX_REQUESTS);
  const errors = new Map<string, number>();
  let issued = 0;
  let answered = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  async function requests(): Promise<void> {
    while (issued < MAX_REQUESTS && performance.now() < until) {
      const host = hosts[issued % hosts.length]!;
      issued++;
      const sent = performance.now();
      try {
        await cgminerCommand(host, 'summary', undefined, { port: PORT, timeoutMs: 5000 });
        latencies[answered++] = performance.now() - sent;
      } catch (error) {
        const code = error instanceof MinerError ? error.code : String(error);
        errors.set(code, (errors.get(code) ?? 0) + 1);
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, requests));
  const elapsedS = (performance.now() - start) / 1000;
  const sorted = latencies.subarray(0, answered).sort();
  const at = (q: number) => sorted[Math.min(answered - 1, Math.floor(q * answered))] ?? Number.NaN;
  return { answered, elapsedS, errors, p50: at(0.5), p99: at(0.99), max: at(1) };
}

/** Resolves with the simulator's miner IPs once it prints its ready line; rejects if it exits or stalls first. */
function ready(simulator: ChildProcess): Promise<string[]> {
  const line = /simulator ready: (\d+) miners on ([\d.]+)-([\d.]+) port (\d+)/;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`simulator not ready within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    simulator.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    simulator.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = line.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      try {
        resolve(hostsBetween(match[2] ?? '', match[3] ?? ''));
      } catch (error) {
        reject(error);
      }
    });
    simulator.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code ?? signal}) before it was ready: ${err.trim()}`));
    });
  });
}

/** Every address from `first` to `last`, which must be MINERS addresses inside 127.77.0.0/16. */
function hostsBetween(first: string, last: string): string[] {
  const value = (ip: string) => ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const from = value(first);
  const size = value(last) - from + 1;
  if (!first.startsWith(CIDR_PREFIX) || !last.startsWith(CIDR_PREFIX) || size !== MINERS) {
    throw new Error(`simulator listens on ${first}-${last}, not ${MINERS} addresses in ${CIDR_PREFIX}0.0/16`);
  }
  return Array.from({ length: size }, (_, i) => {
    const ip = from + i;
    return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
  });
}

/** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS; says how it ended. */
async function stop(simulator: ChildProcess): Promise<string> {
  if (simulator.exitCode !== null || simulator.signalCode !== null) {
    return `simulator had already exited (${simulator.exitCode ?? simulator.signalCode})`;
  }
  const start = performance.now();
  simulator.kill('SIGTERM');
  if (await exited(simulator, STOP_TIMEOUT_MS)) {
    return `simulator stopped: exit ${simulator.exitCode ?? simulator.signalCode} ${seconds(performance.now() - start)} s after SIGTERM`;
  }
  simulator.kill('SIGKILL');
  await exited(simulator, STOP_TIMEOUT_MS);
  process.exitCode = 1;
  return `simulator ignored SIGTERM for ${STOP_TIMEOUT_MS} ms and was killed`;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** User + system CPU of a process so far, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces, so count fields from the `)` that closes it; field 3 is first.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

// ---------------------------------------------------------------------------------------------------------------
// Machine and formatting

interface Busy {
  /** CPU seconds of this process since the start. */
  self(): number;
  /** How many cores were busy on average, and how many of them were neither this process nor `children`. */
  line(children?: number): string;
}

/**
 * CPU used on the whole machine from now on, so a reader can tell when other processes (builds, tests) shared the
 * cores and depressed the figures.
 */
function busySince(): Busy {
  const start = performance.now();
  const machineStart = machineBusySeconds();
  const selfStart = process.cpuUsage();
  const self = () => {
    const { user, system } = process.cpuUsage(selfStart);
    return (user + system) / 1e6;
  };
  return {
    self,
    line(children = 0) {
      const elapsed = (performance.now() - start) / 1000;
      const machine = (machineBusySeconds() - machineStart) / elapsed;
      const ours = (self() + children) / elapsed;
      const others = Math.max(0, machine - ours);
      const warning =
        others > BUSY_OTHERS_WARNING ? ' (busy machine: these figures are low; run again when quiet)' : '';
      return (
        `   cpu load: ${machine.toFixed(2)} of ${os.cpus().length} cores busy on average, this benchmark` +
        ` ${ours.toFixed(2)}, other processes ${others.toFixed(2)}${warning}`
      );
    },
  };
}

/** Busy CPU seconds of the whole machine since boot, all cores, from the `cpu` line of /proc/stat. */
function machineBusySeconds(): number {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '').trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLOCK_TICKS
  );
}

function machineLine(): string {
  const cpus = os.cpus();
  const memory = (os.totalmem() / 2 ** 30).toFixed(1);
  const files = openFiles();
  return (
    `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${memory} GiB, Node ${process.version},` +
    ` ${os.type()} ${os.release()}, open files ${files.soft} (hard ${files.hard}), ${new Date().toISOString().slice(0, 10)}`
  );
}

/** This process's open-file limit (what `ulimit -n` says; the simulator inherits it), from /proc/self/limits. */
function openFiles(): { soft: number; hard: number } {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('Max open files'));
    const [soft = Number.NaN, hard = Number.NaN] = (line?.match(/\d+|unlimited/g) ?? []).map((value) =>
      value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value),
    );
    return { soft, hard };
  } catch {
    return { soft: Number.NaN, hard: Number.NaN };
  }
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Microseconds or milliseconds: two decimals below 10, one above. */
function decimal(value: number): string {
  return value.toFixed(value < 10 ? 2 : 1);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function left(text: string, width: number): string {
  return text.padStart(width);
}
