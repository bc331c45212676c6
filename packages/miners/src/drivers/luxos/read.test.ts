import t from 'tap';
import { MinerError } from '../../errors.js';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import { luxos } from './index.js';

t.test(
  'one command per request, stats first; summary, fans and version are not needed',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = recordedClients('10.0.0.1', { stats: 'luxos/stats.json' });
    await luxos.read(clients);
    t.same(sent, ['stats', 'config', 'devs', 'temps', 'power', 'pools']);
  },
);

t.test(
  'only stats answered: totals, fans and the catalog rate, nothing invented',
  { skip: corpusMissing },
  async (t) => {
    const reading = await luxos.read(recordedClients('10.0.0.1', { stats: 'luxos/stats.json' }).clients);
    t.same(reading, {
      ip: '10.0.0.1',
      vendor: 'bitmain',
      model: 'Antminer S19k Pro',
      firmware: 'LUXminer 2025.4.8.220305-57b389c7',
      status: 'degraded',
      hashrateMhs: 59_756_060,
      hashrateAvgMhs: 56_917_910,
      hashrateExpectedMhs: 120_000_000,
      boards: [],
      fansRpm: [1920, 1920, 2340, 2340],
      pools: [],
      uptimeS: 3453,
      errors: [],
    });
  },
);

t.test('a refused stats or a lost connection fails the read', { skip: corpusMissing }, async (t) => {
  await t.rejects(luxos.read(recordedClients('10.0.0.1', {}).clients), { code: 'MINER_COMMAND_FAILED' });
  const { clients } = recordedClients('10.0.0.1', { stats: 'luxos/stats.json' });
  const flaky = {
    ip: clients.ip,
    cgminer: (command: string) =>
      command === 'power'
        ? Promise.reject(new MinerError('MINER_CONNECTION_RESET', 'reset'))
        : clients.cgminer(command),
  };
  await t.rejects(luxos.read(flaky), { code: 'MINER_CONNECTION_RESET' });
});
