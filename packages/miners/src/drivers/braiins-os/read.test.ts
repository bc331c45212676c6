import t from 'tap';
import { MinerError } from '../../errors.js';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import { braiinsOs } from './index.js';

const S9 = {
  summary: 'braiins/summary.bosplus.json',
  devs: 'braiins/devs.bosplus.json',
  devdetails: 'braiins/devdetails.bosplus-docs.json',
  temps: 'braiins/temps.bosplus.json',
  fans: 'braiins/fans.bosplus.json',
  pools: 'braiins/pools.bosplus.json',
};

t.test('one command per request, summary first', { skip: corpusMissing }, async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', S9);
  await braiinsOs.read(clients);
  t.same(sent, ['summary', 'devs', 'devdetails', 'temps', 'fans', 'tunerstatus', 'tempctrl', 'pools']);
});

t.test(
  'open-source BOSminer has no tuner: no power, no hot limit, still read',
  { skip: corpusMissing },
  async (t) => {
    const reading = await braiinsOs.read(recordedClients('10.0.0.1', S9).clients);
    t.notOk('powerW' in reading, 'power is not invented');
    t.equal(reading.status, 'ok');
    t.equal(reading.boards.length, 3);
  },
);

t.test('only summary answered: a Reading with what it says', { skip: corpusMissing }, async (t) => {
  const reading = await braiinsOs.read(recordedClients('10.0.0.1', { summary: S9.summary }).clients);
  t.match(reading, { model: 'unknown', vendor: 'unknown', boards: [], fansRpm: [], pools: [] });
  t.equal(reading.hashrateExpectedMhs, 0, 'no model, no nominal rate');
  t.equal(reading.status, 'ok');
});

t.test('a refused summary or a lost connection fails the read', async (t) => {
  const failing = (code: 'MINER_COMMAND_FAILED' | 'MINER_CONNECTION_RESET') => ({
    ip: '10.0.0.1',
    cgminer: async () => {
      throw new MinerError(code, code);
    },
  });
  await t.rejects(braiinsOs.read(failing('MINER_COMMAND_FAILED')), { code: 'MINER_COMMAND_FAILED' });
  await t.rejects(braiinsOs.read(failing('MINER_CONNECTION_RESET')), { code: 'MINER_CONNECTION_RESET' });
});

t.test(
  'a connection lost after summary is not swallowed as a refusal',
  { skip: corpusMissing },
  async (t) => {
    const { clients } = recordedClients('10.0.0.1', S9);
    const flaky = {
      ip: clients.ip,
      cgminer: (command: string) =>
        command === 'temps'
          ? Promise.reject(new MinerError('MINER_TIMEOUT', 'hung'))
          : clients.cgminer(command),
    };
    await t.rejects(braiinsOs.read(flaky), { code: 'MINER_TIMEOUT' });
  },
);
