import t from 'tap';
import { MinerError } from '../../errors.js';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import { vnish } from './index.js';

t.test('two commands, one per request: stats then pools', { skip: corpusMissing }, async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', { stats: 'vnish/rpc/stats.json' });
  await vnish.read(clients);
  t.same(sent, ['stats', 'pools']);
});

t.test('a refused stats or a lost connection fails the read', { skip: corpusMissing }, async (t) => {
  await t.rejects(vnish.read(recordedClients('10.0.0.1', {}).clients), { code: 'MINER_COMMAND_FAILED' });
  const { clients } = recordedClients('10.0.0.1', { stats: 'vnish/rpc/stats.json' });
  const flaky = {
    ip: clients.ip,
    cgminer: (command: string) =>
      command === 'pools'
        ? Promise.reject(new MinerError('MINER_TIMEOUT', 'hung'))
        : clients.cgminer(command),
  };
  await t.rejects(vnish.read(flaky), { code: 'MINER_TIMEOUT' });
});
