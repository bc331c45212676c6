import type { Reading } from '@hashinsight/miners';
import { tempDir } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import { AgentStore } from '../store/index.js';
import { Inventory, minerIdFor } from './index.js';

function open(t: Test) {
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  return { store, inventory: new Inventory(store.db) };
}

function reading(fields: Partial<Reading> & { ip: string }): Reading {
  return {
    vendor: 'bitmain',
    model: 'Antminer S19 Pro',
    firmware: 'Antminer S19 Pro 2024',
    status: 'ok',
    hashrateMhs: 110_000_000,
    hashrateAvgMhs: 109_000_000,
    hashrateExpectedMhs: 110_000_000,
    boards: [
      { index: 0, hashrateMhs: 1, chips: 1, chipsExpected: 1, boardTempC: 60, chipTempC: 74.26 },
      { index: 1, hashrateMhs: 1, chips: 1, chipsExpected: 1, boardTempC: 81 },
    ],
    fansRpm: [],
    pools: [],
    uptimeS: 10,
    errors: [],
    ...fields,
  };
}

t.test('ids: MAC, else a usable serial, else the address', async (t) => {
  t.equal(minerIdFor({ ip: '10.0.0.1', mac: 'AA:bb:cc:dd:ee:ff', serial: 'S1' }), 'aabbccddeeff');
  t.equal(minerIdFor({ ip: '10.0.0.1', serial: 'S1' }), 'S1');
  t.equal(minerIdFor({ ip: '10.0.0.1', serial: 'has space' }), 'ip-10.0.0.1', 'a serial unfit for the wire');
  t.equal(minerIdFor({ ip: '10.0.0.1', serial: 'x'.repeat(65) }), 'ip-10.0.0.1');
  t.equal(minerIdFor({ ip: '10.0.0.1' }), 'ip-10.0.0.1');
});

t.test('a new miner is created with first/last seen, last sample and a discovered event', async (t) => {
  const { inventory } = open(t);
  const result = inventory.upsertFromReading(
    reading({ ip: '10.0.0.2', serial: 'S2' }),
    'antminer-stock',
    4028,
    1000,
  );
  t.match(result, { created: true, miner: { minerId: 'S2', ip: '10.0.0.2', port: 4028, state: 'unknown' } });
  t.match(inventory.get('S2'), {
    firstSeenMs: 1000,
    lastSeenMs: 1000,
    driver: 'antminer-stock',
    lastHashrateMhs: 110_000_000,
    lastMaxTempDc: 810,
    lastStatus: 'ok',
  });
  t.equal(inventory.get('S2')?.mac, undefined);
  inventory.upsertFromReading(
    reading({ ip: '10.0.0.2', serial: 'S2', hashrateMhs: 5 }),
    'antminer-stock',
    4028,
    2000,
  );
  t.match(inventory.get('S2'), { firstSeenMs: 1000, lastSeenMs: 2000, lastHashrateMhs: 5 });
  t.match(inventory.events(), [{ kind: 'miner.discovered', minerId: 'S2', detail: { ip: '10.0.0.2' } }]);
  t.equal(inventory.byIp('10.0.0.2')?.minerId, 'S2');
  t.equal(inventory.byIp('10.0.0.3'), undefined);
  t.equal(inventory.get('nope'), undefined);
});

t.test('a miner that moves keeps its id; the move is recorded with an event', async (t) => {
  const { inventory } = open(t);
  const mac = '02:00:00:00:00:01';
  inventory.upsertFromReading(reading({ ip: '10.0.0.5', mac }), 'antminer-stock', 4028, 1000);
  const moved = inventory.upsertFromReading(reading({ ip: '10.0.0.9', mac }), 'antminer-stock', 4028, 2000);
  t.match(moved, {
    created: false,
    ipChangedFrom: '10.0.0.5',
    miner: { minerId: '020000000001', ip: '10.0.0.9' },
  });
  t.same(inventory.ipChanges('020000000001'), [{ atMs: 2000, oldIp: '10.0.0.5', newIp: '10.0.0.9' }]);
  t.equal(inventory.list().length, 1);
  t.match(inventory.events()[0], {
    kind: 'miner.ip_changed',
    minerId: '020000000001',
    detail: { from: '10.0.0.5', to: '10.0.0.9' },
  });
  t.equal(inventory.byIp('10.0.0.5'), undefined);
});

t.test('placeholder ids are upgraded once a firmer id is known, keeping the history', async (t) => {
  const { inventory } = open(t);
  inventory.upsertFromReading(reading({ ip: '10.0.1.1' }), 'cgminer-generic', 4028, 1000);
  inventory.setState('ip-10.0.1.1', 'online', 1500);
  const bySerial = inventory.upsertFromReading(
    reading({ ip: '10.0.1.1', serial: 'SER-1' }),
    'antminer-stock',
    4028,
    2000,
  );
  t.match(bySerial, {
    created: false,
    renamedFrom: 'ip-10.0.1.1',
    miner: { minerId: 'SER-1', firstSeenMs: 1000, state: 'online' },
  });
  t.equal(inventory.get('ip-10.0.1.1'), undefined);
  // It moves under its serial, then its MAC shows up (web credentials configured later).
  inventory.upsertFromReading(reading({ ip: '10.0.1.2', serial: 'SER-1' }), 'antminer-stock', 4028, 3000);
  const byMac = inventory.upsertFromReading(
    reading({ ip: '10.0.1.2', serial: 'SER-1', mac: '02:00:00:00:00:aa' }),
    'antminer-stock',
    4028,
    4000,
  );
  t.match(byMac, {
    renamedFrom: 'SER-1',
    miner: { minerId: '0200000000aa', serial: 'SER-1', firstSeenMs: 1000 },
  });
  t.same(
    inventory.list().map((m) => m.minerId),
    ['0200000000aa'],
    'one miner, not three',
  );
  t.same(
    inventory.ipChanges('0200000000aa'),
    [{ atMs: 3000, oldIp: '10.0.1.1', newIp: '10.0.1.2' }],
    'moves follow the rename',
  );
  t.same(
    inventory
      .events({ limit: 10 })
      .map((e) => [e.kind, e.minerId])
      .reverse(),
    [
      ['miner.discovered', 'ip-10.0.1.1'],
      ['miner.online', 'ip-10.0.1.1'],
      ['miner.id_upgraded', 'SER-1'],
      ['miner.ip_changed', 'SER-1'],
      ['miner.id_upgraded', '0200000000aa'],
    ],
  );
});

t.test('a serial row is not merged into a miner with another MAC', async (t) => {
  const { inventory } = open(t);
  inventory.upsertFromReading(
    reading({ ip: '10.0.2.1', mac: '02:00:00:00:00:01', serial: 'DUP' }),
    'x',
    4028,
    1,
  );
  inventory.upsertFromReading(
    reading({ ip: '10.0.2.2', mac: '02:00:00:00:00:02', serial: 'DUP' }),
    'x',
    4028,
    2,
  );
  t.same(
    inventory.list().map((m) => m.minerId),
    ['020000000001', '020000000002'],
  );
});

t.test('state changes write one event each; repeating a state writes none', async (t) => {
  const { inventory } = open(t);
  inventory.upsertFromReading(reading({ ip: '10.0.3.1', serial: 'S' }), 'x', 4028, 1);
  t.equal(inventory.setState('S', 'online', 10), true);
  t.equal(inventory.setState('S', 'online', 20), false);
  t.equal(inventory.setState('S', 'offline', 30, { code: 'MINER_TIMEOUT' }), true);
  t.equal(inventory.setState('gone', 'offline', 30), false, 'an unknown miner changes nothing');
  t.match(inventory.get('S'), { state: 'offline', stateSinceMs: 30 });
  t.match(inventory.events({ sinceMs: 10 }), [
    { kind: 'miner.offline', minerId: 'S', detail: { code: 'MINER_TIMEOUT' } },
    { kind: 'miner.online', minerId: 'S' },
  ]);
});

t.test('list is in address order; byIp prefers the miner seen there last', async (t) => {
  const { inventory } = open(t);
  inventory.upsertFromReading(reading({ ip: '10.0.0.10', serial: 'A' }), 'x', 4028, 1);
  inventory.upsertFromReading(reading({ ip: '10.0.0.9', serial: 'B' }), 'x', 4028, 2);
  inventory.upsertFromReading(reading({ ip: '10.0.0.9', serial: 'C' }), 'x', 4028, 3);
  t.same(
    inventory.list().map((m) => m.ip),
    ['10.0.0.9', '10.0.0.9', '10.0.0.10'],
  );
  t.equal(inventory.byIp('10.0.0.9')?.minerId, 'C');
});

t.test('a finished scan is recorded with an event', async (t) => {
  const { store, inventory } = open(t);
  inventory.recordScan({
    scanId: 'scan-1',
    startedMs: 100,
    finishedMs: 350,
    ranges: ['10.0.0.0/24'],
    probed: 254,
    found: 3,
    unidentified: 1,
  });
  t.match(store.db.prepare('SELECT * FROM scan').all(), [
    { scan_id: 'scan-1', ranges: '["10.0.0.0/24"]', found: 3 },
  ]);
  t.match(inventory.events(), [
    { kind: 'scan.finished', detail: { scanId: 'scan-1', ms: 250, probed: 254 } },
  ]);
});

t.test('recordReading: one update at the same address, the full upsert otherwise', async (t) => {
  const { inventory } = open(t);
  inventory.recordReading(reading({ ip: '10.0.4.1', serial: 'R' }), 'x', 4028, 1);
  inventory.recordReading(reading({ ip: '10.0.4.1', serial: 'R', hashrateMhs: 7 }), 'x', 4028, 2);
  t.match(inventory.get('R'), { firstSeenMs: 1, lastSeenMs: 2, lastHashrateMhs: 7 });
  inventory.recordReading(reading({ ip: '10.0.4.2', serial: 'R' }), 'x', 4028, 3);
  t.same(inventory.ipChanges('R'), [{ atMs: 3, oldIp: '10.0.4.1', newIp: '10.0.4.2' }]);
  t.same(
    inventory.events({ limit: 5 }).map((e) => e.kind),
    ['miner.ip_changed', 'miner.discovered'],
  );
});
