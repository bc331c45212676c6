import t from 'tap';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import { cgminerGeneric } from './index.js';

t.test(
  'a stock Antminer read generically: summary, version, pools, devs, one command at a time',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = recordedClients('10.0.0.9', {
      summary: 'antminer-bmminer/summary.json',
      version: 'antminer-bmminer/version.json',
      pools: 'antminer-bmminer/pools.json',
    });
    const reading = await cgminerGeneric.read(clients);
    t.same(sent, ['summary', 'version', 'pools', 'devs'], 'devs is refused and skipped');
    t.match(reading, {
      vendor: 'bitmain',
      model: 'Antminer S19 Pro',
      firmware: 'BMMiner 1.0.0',
      status: 'ok',
      hashrateMhs: 110_566_890,
      hashrateAvgMhs: 111_834_850,
      hashrateExpectedMhs: 110_000_000,
      uptimeS: 50_474,
    });
    t.same(reading.pools[0], {
      url: 'stratum+tcp://btc.global.luxor.tech:700',
      user: 'satokierepair.H04YK',
      status: 'alive',
      active: true,
      priority: 0,
      accepted: 4057,
      rejected: 11,
      stale: 1,
    });
  },
);

t.test('a connection failure is not swallowed as a refused command', async (t) => {
  const clients = {
    ip: '10.0.0.9',
    cgminer: async () => {
      throw Object.assign(new Error('refused'), { code: 'MINER_CONNECT_REFUSED' });
    },
  };
  await t.rejects(cgminerGeneric.read(clients), /refused/);
});

t.test('the generic driver claims cgminer and bfgminer, nothing else', async (t) => {
  const version = (body: Record<string, unknown>, description = '') => ({
    version: {
      status: { letter: 'S' as const, code: 22, msg: 'x', description, when: 0 },
      body: { VERSION: [body] },
    },
  });
  t.equal(cgminerGeneric.match(version({ CGMiner: '4.10.0', API: '3.7' })), 1);
  t.equal(cgminerGeneric.match(version({ BFGMiner: '5.5.0' })), 1);
  t.equal(
    cgminerGeneric.match(version({ BMMiner: '1.0.0' }, 'cgminer 1.0.0')),
    1,
    'a fork that says cgminer',
  );
  t.equal(cgminerGeneric.match(version({ LUXminer: '2024.1' }, 'LUXminer 2024.1')), 0);
  t.equal(cgminerGeneric.match({}), 0);
});

t.test(
  'devs named after a 30 s log interval (Avalon A15) still give boards',
  { skip: corpusMissing },
  async (t) => {
    const { clients } = recordedClients('10.0.0.9', {
      summary: 'cgminer/summary.json',
      devs: 'avalon/devs.a1566.json',
    });
    const reading = await cgminerGeneric.read(clients);
    t.same(
      reading.boards,
      [{ index: 0, hashrateMhs: 197_497_926, chips: 0, chipsExpected: 0 }],
      '-273 °C is no reading',
    );
  },
);
