// `status` in-process over a real store: rows, JSON fields, miner-supplied text made terminal-safe, no store.
import type { Reading } from '@hashinsight/miners';
import { tempDir } from '@hashinsight/testkit';
import t from 'tap';
import { Inventory } from '../inventory/index.js';
import { AgentStore } from '../store/index.js';
import { captureIo } from './io.js';
import { runStatusCommand } from './status.js';

function reading(ip: string, fields: Partial<Reading> = {}): Reading {
  return {
    ip,
    vendor: 'bitmain',
    model: 'Antminer S19 Pro',
    firmware: 'BMMiner 1.0.0',
    status: 'ok',
    hashrateMhs: 110_250_000,
    hashrateAvgMhs: 110_000_000,
    hashrateExpectedMhs: 110_000_000,
    boards: [{ index: 0, hashrateMhs: 1, chips: 1, chipsExpected: 1, boardTempC: 61, chipTempC: 74.5 }],
    fansRpm: [],
    pools: [],
    uptimeS: 10,
    errors: [],
    ...fields,
  };
}

t.test(
  'miners from the store as a table and as JSON; hostile text from a miner cannot drive the terminal',
  async (t) => {
    const dir = tempDir(t);
    const store = new AgentStore(dir);
    const inventory = new Inventory(store.db);
    const now = Date.now();
    inventory.upsertFromReading(
      reading('10.0.0.2', { mac: 'aa:bb:cc:dd:ee:02' }),
      'antminer-stock',
      4028,
      now,
    );
    inventory.upsertFromReading(
      reading('10.0.0.10', {
        mac: 'aa:bb:cc:dd:ee:10',
        model: '\u001b[2J\u001b[31mS19\u202e',
        firmware: 'fw\u0007\r\nFAKE LINE',
      }),
      'antminer-stock',
      4028,
      now,
    );
    inventory.setState('aabbccddee02', 'online', now);
    inventory.setState('aabbccddee10', 'offline', now);
    store.close();

    const { io, out } = captureIo({ HASHINSIGHT_DATA_DIR: dir });
    t.equal(await runStatusCommand([], io), 0, out.stderr);
    t.match(out.stdout, /^2 miners: 1 online, 1 offline, 0 not polled yet · last scan never\n/);
    t.match(
      out.stdout,
      /10\.0\.0\.2 +Antminer S19 Pro +BMMiner 1\.0\.0 +110\.25 TH\/s +74\.5 °C +online +ok/,
    );
    t.notMatch(
      out.stdout,
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
      /[\u0000-\u0009\u000b-\u001f\u202e]/,
      'no control or bidi characters but newlines',
    );
    t.match(out.stdout, /\?\[2J\?\[31mS19\? +fw\?\?\?FAKE LINE/);
    t.equal(out.stdout.split('\n').length, 5, 'one line per miner, a header and the summary');

    const json = captureIo({ HASHINSIGHT_DATA_DIR: dir });
    t.equal(await runStatusCommand(['--json'], json.io), 0);
    const rows = JSON.parse(json.out.stdout);
    t.same(
      rows.map((row: { ip: string }) => row.ip),
      ['10.0.0.2', '10.0.0.10'],
      'in address order',
    );
    t.match(rows[0], {
      minerId: 'aabbccddee02',
      mac: 'aa:bb:cc:dd:ee:02',
      vendor: 'bitmain',
      model: 'Antminer S19 Pro',
      firmware: 'BMMiner 1.0.0',
      hashrateThs: 110.25,
      maxTempC: 74.5,
      state: 'online',
      status: 'ok',
      lastSeen: new Date(now).toISOString(),
    });
    t.equal(rows[1].model, '\u001b[2J\u001b[31mS19\u202e', 'JSON keeps the value as it is, escaped by JSON');
  },
);

t.test('an empty store, and no store at all', async (t) => {
  const dir = tempDir(t);
  new AgentStore(dir).close();
  const empty = captureIo({ HASHINSIGHT_DATA_DIR: dir });
  t.equal(await runStatusCommand([], empty.io), 0);
  t.equal(empty.out.stdout, '0 miners: 0 online, 0 offline, 0 not polled yet · last scan never\n');
  const emptyJson = captureIo({ HASHINSIGHT_DATA_DIR: dir });
  t.equal(await runStatusCommand(['--json'], emptyJson.io), 0);
  t.same(JSON.parse(emptyJson.out.stdout), []);

  const none = captureIo({ HASHINSIGHT_DATA_DIR: `${dir}/elsewhere` });
  t.equal(await runStatusCommand([], none.io), 1);
  t.match(
    none.out.stderr,
    /^hashinsight-agent status: no agent store at .*elsewhere\/agent\.sqlite: the agent has not run/,
  );
  t.equal(none.out.stdout, '');
});
