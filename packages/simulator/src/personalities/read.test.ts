// Each personality is identified and read by its own driver in @hashinsight/miners, over real sockets, and the
// Reading says exactly what the miner reported.
import { MinerReader, type Reading } from '@hashinsight/miners';
import t from 'tap';
import { started } from '../test/support.js';
import type { VirtualMinerOptions } from '../virtual-miner.js';
import type { PersonalityName } from './index.js';

const cases: Array<{
  personality: PersonalityName;
  model: string;
  driver: string;
  vendor: Reading['vendor'];
  /** Whether the firmware reports its power draw over the cgminer API (stock Antminer does not). */
  power: boolean;
}> = [
  {
    personality: 'antminer',
    model: 'Antminer S19 Pro',
    driver: 'antminer-stock',
    vendor: 'bitmain',
    power: false,
  },
  {
    personality: 'whatsminer',
    model: 'Whatsminer M30S+',
    driver: 'whatsminer-btminer',
    vendor: 'microbt',
    power: true,
  },
  {
    personality: 'avalon',
    model: 'AvalonMiner 1246',
    driver: 'avalon-cgminer',
    vendor: 'canaan',
    power: true,
  },
  {
    personality: 'braiins',
    model: 'Antminer S19j Pro',
    driver: 'braiins-os',
    vendor: 'bitmain',
    power: true,
  },
  { personality: 'luxos', model: 'Antminer S19k Pro', driver: 'luxos', vendor: 'bitmain', power: true },
  { personality: 'vnish', model: 'Antminer S21 Pro', driver: 'vnish', vendor: 'bitmain', power: true },
];

/** A miner two hours into its run, on a clock that stands still so every reply of one read agrees. */
async function running(t: Parameters<typeof started>[0], options: Partial<VirtualMinerOptions>) {
  let now = Date.UTC(2025, 5, 1);
  const miner = await started(t, { ...options, now: () => now, seed: 11 });
  now += 2 * 3_600_000;
  return miner;
}

for (const { personality, model, driver, vendor, power } of cases) {
  t.test(`${personality}: identified as ${driver}, read exactly as reported`, async (t) => {
    const miner = await running(t, { personality, model });
    const reader = new MinerReader({ port: miner.port });
    const reading = await reader.read(miner.ip);
    t.equal(reader.driverOf(miner.ip)?.id, driver);
    const said = miner.snapshot();
    if (said === undefined) throw new Error('the miner reported no totals');
    t.match(reading, {
      ip: miner.ip,
      vendor,
      status: 'ok',
      hashrateMhs: said.hashrateMhs,
      hashrateAvgMhs: said.hashrateAvgMhs,
      uptimeS: said.elapsed,
      errors: [],
    });
    t.equal(said.elapsed, 7200);
    t.ok(reading.model.startsWith(model), `${reading.model} is the ${model}`);
    t.equal(power ? reading.powerW : undefined, power ? said.powerW : undefined, 'power as reported');
    t.equal(reading.boards.length, 3);
    t.equal(reading.boards.reduce((sum, board) => sum + board.hashrateMhs, 0) > 0, true, 'boards hash');
    t.equal(reading.pools.length, 3, 'the operator pools, without any firmware fee pool');
    t.equal(
      reading.pools.reduce((sum, pool) => sum + pool.accepted, 0),
      said.accepted,
      'every accepted share is credited to a pool',
    );
    t.ok(said.accepted > 0, `${said.accepted} shares in two hours`);
    const nominal = said.ratedGhs * 1000;
    t.ok(Math.abs(reading.hashrateMhs - nominal) <= nominal * 0.02, 'within 2% of nominal');
  });

  t.test(`${personality}: a failed board shows in the Reading`, async (t) => {
    const miner = await running(t, { personality, model });
    await miner.setFault('board-failure');
    const reader = new MinerReader({ port: miner.port });
    const reading = await reader.read(miner.ip);
    const said = miner.snapshot();
    t.equal(reading.status, 'degraded');
    t.equal(reading.hashrateMhs, said?.hashrateMhs, 'the totals drop with the board');
    t.same(
      reading.boards.map((board) => board.hashrateMhs === 0),
      [false, true, false],
      'the middle board makes nothing',
    );
    t.ok(reading.hashrateMhs < (said?.ratedGhs ?? 0) * 1000 * 0.7, 'two thirds of the rate at most');
    await miner.setFault('none');
    t.equal((await reader.read(miner.ip)).status, 'ok', 'repaired');
  });
}

t.test('a personality without a model runs one of its brand, picked by the seed', async (t) => {
  const brands: Record<PersonalityName, string> = {
    antminer: 'Antminer',
    whatsminer: 'Whatsminer',
    avalon: 'Avalon',
    braiins: 'Antminer',
    luxos: 'Antminer',
    vnish: 'Antminer',
  };
  for (const [personality, brand] of Object.entries(brands) as Array<[PersonalityName, string]>) {
    const models = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const miner = await started(t, { personality, seed });
      t.ok(miner.model.startsWith(brand), `${personality} seed ${seed}: ${miner.model}`);
      models.add(miner.model);
    }
    t.ok(models.size > 1, `${personality}: several models across seeds`);
  }
});
