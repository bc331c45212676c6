import { availableParallelism } from 'node:os';
import { type FoundMiner, ScanError, type ScanProgress, type ScanResult, scan } from '../scan/index.js';
import { type CommandSpec, parseOrExit, shown, usageLine } from './args.js';
import type { CliIo, CliOutput } from './io.js';
import { cell, table } from './table.js';

export const SCAN_SPEC: CommandSpec = {
  name: 'scan',
  summary:
    'Finds the miners in the given addresses (IPs, ranges a-b, CIDRs up to a /16 in all) and identifies each\n' +
    "through the drivers. Prints what it found; the agent's inventory is not changed (the daemon's scheduled\n" +
    'scans do that).',
  positionals: '<cidr|range|ip>...',
  options: {
    exclude: {
      type: 'string',
      value: '<list>',
      description: 'addresses never probed, comma-separated, same forms',
    },
    json: { type: 'boolean', description: 'print one JSON array of the miners found instead of a table' },
    concurrency: {
      type: 'string',
      value: '<n>',
      description: 'addresses probed at once per thread (default 256, 1-4096)',
    },
    threads: { type: 'string', value: '<n>', description: 'probe threads (default: one per core, 1-64)' },
    'timeout-ms': {
      type: 'string',
      value: '<ms>',
      description: 'deadline of the probe and of each request to a miner (default 2000, 10-60000)',
    },
    port: { type: 'string', value: '<port>', description: 'miner API port (default 4028)' },
  },
};

/** One miner as `scan --json` prints it. */
export interface ScanRow {
  ip: string;
  port: number;
  minerId: string;
  mac: string | null;
  serial: string | null;
  vendor: string;
  model: string;
  firmware: string;
  hostname: string | null;
  /** Current hashrate in TH/s. */
  hashrateThs: number;
  /** The miner's status as read: ok, degraded, offline, sleeping, ... */
  status: string;
  /** Driver that identified it. */
  driver: string;
}

function toRow(miner: FoundMiner): ScanRow {
  const { reading } = miner;
  return {
    ip: miner.ip,
    port: miner.port,
    minerId: miner.minerId,
    mac: reading.mac ?? null,
    serial: reading.serial ?? null,
    vendor: reading.vendor,
    model: reading.model,
    firmware: reading.firmware,
    hostname: reading.hostname ?? null,
    hashrateThs: Math.round(reading.hashrateMhs / 1000) / 1000,
    status: reading.status,
    driver: miner.driver,
  };
}

/** A whole number in [min, max] from an option, or the reason it is not one. */
function integerOption(name: string, raw: string | boolean | undefined, min: number, max: number) {
  if (raw === undefined) return undefined;
  const text = String(raw);
  if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) {
    return { error: `--${name} must be a whole number from ${min} to ${max}, got ${shown(text)}` };
  }
  return Number(text);
}

/** A one-line progress bar, redrawn in place at most every 100 ms (terminals only). */
function progressBar(out: CliOutput) {
  let last = 0;
  const draw = (p: ScanProgress) => {
    const width = 30;
    const done = p.total === 0 ? width : Math.round((p.probed / p.total) * width);
    out.write(
      `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.probed.toLocaleString('en')}/${p.total.toLocaleString('en')} addresses · ${p.found.toLocaleString('en')} miners`,
    );
  };
  return {
    update(p: ScanProgress) {
      const now = Date.now();
      if (now - last < 100 && p.probed < p.total) return;
      last = now;
      draw(p);
    },
    clear() {
      out.write('\r\x1b[K');
    },
  };
}

function render(result: ScanResult): string {
  const rows = result.miners.map((miner) => {
    const row = toRow(miner);
    return [
      row.ip,
      cell(row.mac),
      cell(row.vendor),
      cell(row.model),
      cell(row.firmware),
      row.hashrateThs.toFixed(2),
      cell(row.status),
      cell(row.minerId),
    ];
  });
  let text = table(['IP', 'MAC', 'VENDOR', 'MODEL', 'FIRMWARE', 'TH/S', 'STATUS', 'ID'], rows);
  if (result.unidentified.length > 0) {
    text += `\nanswered on the miner port but not identified:\n${table(
      ['IP', 'CODE', 'REASON'],
      result.unidentified.map((host) => [host.ip, host.code, cell(host.reason.slice(0, 100))]),
    )}`;
  }
  return text;
}

export async function runScanCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseOrExit(SCAN_SPEC, argv, io);
  if (typeof args === 'number') return args;
  const usageError = (message: string) => {
    io.stderr.write(`hashinsight-agent scan: ${message}\n${usageLine(SCAN_SPEC)}\n`);
    return 2;
  };
  if (args.positionals.length === 0)
    return usageError('give at least one address, range a-b or CIDR to scan');
  const concurrency = integerOption('concurrency', args.values.concurrency, 1, 4096);
  const timeoutMs = integerOption('timeout-ms', args.values['timeout-ms'], 10, 60_000);
  const port = integerOption('port', args.values.port, 1, 65_535);
  const threads = integerOption('threads', args.values.threads, 1, 64) ?? availableParallelism();
  for (const option of [concurrency, timeoutMs, port, threads]) {
    if (typeof option === 'object') return usageError(option.error);
  }
  const bar = io.stderr.isTTY ? progressBar(io.stderr) : undefined;
  let result: ScanResult;
  try {
    result = await scan({
      targets: args.positionals,
      exclude: typeof args.values.exclude === 'string' ? [args.values.exclude] : [],
      ...(typeof concurrency === 'number' ? { concurrency } : {}),
      ...(typeof timeoutMs === 'number' ? { timeoutMs } : {}),
      ...(typeof port === 'number' ? { port } : {}),
      ...(typeof threads === 'number' ? { threads } : {}),
      ...(bar ? { onProgress: (p: ScanProgress) => bar.update(p) } : {}),
    });
  } catch (error) {
    bar?.clear();
    if (error instanceof ScanError) return usageError(error.message);
    throw error;
  }
  bar?.clear();
  io.stdout.write(
    args.values.json ? `${JSON.stringify(result.miners.map(toRow), null, 2)}\n` : render(result),
  );
  const seconds = ((result.finishedMs - result.startedMs) / 1000).toFixed(1);
  io.stderr.write(
    `${result.probed.toLocaleString('en')} addresses probed in ${seconds} s: ${result.miners.length} miners found` +
      (result.unidentified.length > 0 ? `, ${result.unidentified.length} hosts not identified` : '') +
      '\n',
  );
  return 0;
}
