import t from 'tap';
import type { Probe } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { corpusMissing, corpusReply, recordedClients } from '../../test/recorded.js';
import { decodeReply } from '../../transports/cgminer/reply.js';
import { antminerAsicseer } from '../antminer-asicseer/index.js';
import { antminerHiveon } from '../antminer-hiveon/index.js';
import { cgminerGeneric } from '../cgminer-generic/index.js';
import { selectDriver } from '../index.js';
import { cases } from './cases.js';
import { antminerStock } from './index.js';

const candidates = [antminerStock, cgminerGeneric, antminerHiveon, antminerAsicseer];

/** The probe identification would build from a recorded `version` reply. */
const versionProbe = (path: string): Probe => ({ version: decodeReply(corpusReply(path)) });

t.test('identification picks stock for every recorded stock version', { skip: corpusMissing }, async (t) => {
  const versions = cases.flatMap((testCase) => testCase.replies.version ?? []);
  t.equal(versions.length, 4);
  for (const path of versions) {
    t.equal(antminerStock.match(versionProbe(path)), 2, path);
    t.equal(selectDriver(versionProbe(path), candidates), antminerStock, path);
  }
});

t.test(
  'a refused pools command leaves pools empty; stats is required',
  { skip: corpusMissing },
  async (t) => {
    const { clients } = recordedClients('10.0.0.1', { stats: 'antminer-bmminer/stats.json' });
    t.same((await antminerStock.read(clients)).pools, []);
    const noStats = recordedClients('10.0.0.1', { pools: 'antminer-bmminer/pools.json' });
    await t.rejects(antminerStock.read(noStats.clients), { code: 'MINER_COMMAND_FAILED' });
    t.same(noStats.sent, ['stats']);
  },
);

t.test('connection failures are not swallowed as refused commands', { skip: corpusMissing }, async (t) => {
  const { clients } = recordedClients('10.0.0.1', { stats: 'antminer-bmminer/stats.json' });
  const dropsPools = {
    ip: clients.ip,
    cgminer: (command: string) =>
      command === 'pools'
        ? Promise.reject(new MinerError('MINER_CONNECTION_RESET', 'reset by peer'))
        : clients.cgminer(command),
  };
  await t.rejects(antminerStock.read(dropsPools), { code: 'MINER_CONNECTION_RESET' });
});
