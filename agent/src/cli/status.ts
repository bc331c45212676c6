import { Inventory, type InventoryMiner } from '../inventory/index.js';
import { type CommandSpec, parseOrExit } from './args.js';
import { CONFIG_OPTION, loadConfigOrExit } from './config-option.js';
import type { CliIo } from './io.js';
import { lastScan, openStoreReadOnly, StoreUnavailable } from './store-reader.js';
import { ago, cell, table } from './table.js';

export const STATUS_SPEC: CommandSpec = {
  name: 'status',
  summary:
    "The site's miners as the agent last saw them (IP, model, firmware, hashrate, hottest temperature, state),\n" +
    'read from its store; works beside the running daemon.',
  options: {
    json: { type: 'boolean', description: 'print one JSON array of miners instead of a table' },
    config: CONFIG_OPTION,
  },
};

/** One miner as `status --json` prints it. */
export interface StatusRow {
  minerId: string;
  ip: string;
  mac: string | null;
  vendor: string;
  model: string | null;
  firmware: string | null;
  /** From the last successful reading, in TH/s. */
  hashrateThs: number | null;
  /** Hottest board or chip at the last successful reading, °C. */
  maxTempC: number | null;
  /** online, offline or unknown (not polled yet). */
  state: string;
  /** The miner's own status at its last reading (ok, warning, ...). */
  status: string | null;
  lastSeen: string;
}

function toRow(miner: InventoryMiner): StatusRow {
  return {
    minerId: miner.minerId,
    ip: miner.ip,
    mac: miner.mac ?? null,
    vendor: miner.vendor,
    model: miner.model ?? null,
    firmware: miner.firmware ?? null,
    hashrateThs:
      miner.lastHashrateMhs === undefined ? null : Math.round(miner.lastHashrateMhs / 10_000) / 100,
    maxTempC: miner.lastMaxTempDc === undefined ? null : miner.lastMaxTempDc / 10,
    state: miner.state,
    status: miner.lastStatus ?? null,
    lastSeen: new Date(miner.lastSeenMs).toISOString(),
  };
}

export async function runStatusCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseOrExit(STATUS_SPEC, argv, io);
  if (typeof args === 'number') return args;
  const config = loadConfigOrExit('status', args.values.config, io);
  if (typeof config === 'number') return config;
  let db: ReturnType<typeof openStoreReadOnly>;
  try {
    db = openStoreReadOnly(config.dataDir);
  } catch (error) {
    if (!(error instanceof StoreUnavailable)) throw error;
    io.stderr.write(`hashinsight-agent status: ${error.message}\n`);
    return 1;
  }
  try {
    const miners = new Inventory(db).list();
    const rows = miners.map(toRow);
    if (args.values.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const now = Date.now();
    const count = (state: string) => rows.filter((row) => row.state === state).length;
    const scan = lastScan(db);
    io.stdout.write(
      `${rows.length} miners: ${count('online')} online, ${count('offline')} offline, ${count('unknown')} not polled yet` +
        ` · last scan ${scan ? `${ago(scan.startedMs, now)} (found ${scan.found} of ${scan.probed})` : 'never'}\n`,
    );
    if (rows.length === 0) return 0;
    io.stdout.write(
      table(
        ['IP', 'MODEL', 'FIRMWARE', 'HASHRATE', 'TEMP', 'STATE', 'STATUS', 'LAST SEEN'],
        rows.map((row, i) => [
          cell(row.ip),
          cell(row.model ?? row.vendor),
          cell(row.firmware),
          row.hashrateThs === null ? '-' : `${row.hashrateThs.toFixed(2)} TH/s`,
          row.maxTempC === null ? '-' : `${row.maxTempC.toFixed(1)} °C`,
          row.state,
          cell(row.status),
          ago(miners[i]?.lastSeenMs, now),
        ]),
      ),
    );
    return 0;
  } finally {
    db.close();
  }
}
