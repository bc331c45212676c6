// A rewrap run in a process of its own, for the kill -9 test (rewrap.test.ts): it prints "row" after each row it
// wrote and waits a little, so the parent can kill it in the middle. Settings come from the environment.
import { parseKeyring } from '@hashinsight/vault';
import { pino } from 'pino';
import { openDatabase } from '../../../db/index.js';
import type { Broker } from '../../../plugins/broker.js';
import { rewrap } from '../rewrap.js';
import { Vault } from '../service.js';

const env = process.env;
const db = openDatabase({
  dataDir: env.WORKER_DATA_DIR ?? '',
  databaseUrl: env.WORKER_DATABASE_URL || undefined,
  ...(env.WORKER_SCHEMA ? { postgres: { schema: env.WORKER_SCHEMA } } : {}),
});
// The rewrap job never publishes: a broker that would say so if it tried.
const noBroker = new Proxy({} as Broker, {
  get: () => () => {
    throw new Error('the rewrap job does not use the broker');
  },
});
const vault = new Vault({
  db,
  broker: noBroker,
  masterKey: parseKeyring(env.WORKER_MASTER_KEY ?? ''),
  logger: pino({ level: 'silent' }),
});
await rewrap(vault, {
  batchSize: 5,
  afterRow: async () => {
    process.stdout.write('row\n');
    await new Promise((resolve) => setTimeout(resolve, 15));
  },
});
process.stdout.write('done\n');
await db.destroy();
