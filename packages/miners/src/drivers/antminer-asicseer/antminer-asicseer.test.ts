import t from 'tap';
import type { Probe } from '../../driver.js';
import { corpusMissing, corpusReply } from '../../test/recorded.js';
import { type CgminerReply, decodeReply } from '../../transports/cgminer/reply.js';
import { antminerHiveon } from '../antminer-hiveon/index.js';
import { antminerStock } from '../antminer-stock/index.js';
import { cgminerGeneric } from '../cgminer-generic/index.js';
import { selectDriver } from '../index.js';
import { antminerAsicseer } from './index.js';
import { asicseerStats } from './parse.js';

const candidates = [antminerAsicseer, cgminerGeneric, antminerStock, antminerHiveon];

/**
 * The corpus has no asicseer `version` reply. Its `stats` carries the same version block (BMMiner, Miner,
 * CompileTime, Type) under the same STATUS description, which is what a `version` reply holds.
 */
function probeFromStats(path: string): Probe {
  const stats = decodeReply(corpusReply(path));
  const header = (stats.body.STATS as unknown[])[0];
  return { version: { status: { ...stats.status, code: 22 }, body: { VERSION: [header] } } };
}

t.test('asicseer outscores stock', { skip: corpusMissing }, async (t) => {
  const probe = probeFromStats('asicseer/stats.s9.json');
  t.equal(antminerAsicseer.match(probe), 3);
  t.equal(antminerStock.match(probe), 0);
  t.equal(selectDriver(probe, candidates), antminerAsicseer);
});

t.test('the hostname asicseer adds, and one it cannot trust', async (t) => {
  const stats = {
    model: 'Antminer S9',
    firmware: 'BMMiner 2.4.0-asicseer-1.1.9-f7b7',
    rateMhs: 1,
    rateAvgMhs: 1,
    uptimeS: 1,
    boards: [],
    fansRpm: [],
  };
  t.equal(asicseerStats({ ...stats, data: { hostname: 'rack3-s9' } }).hostname, 'rack3-s9');
  t.notOk('hostname' in asicseerStats({ ...stats, data: {} }), 'absent stays absent');
  t.notOk('hostname' in asicseerStats({ ...stats, data: { hostname: '' } }), 'empty is absent');
  for (const hostname of [42, null, {}, 'x'.repeat(300)]) {
    t.throws(
      () => asicseerStats({ ...stats, data: { hostname } }),
      { code: 'MINER_BAD_REPLY' },
      String(hostname),
    );
  }
  const hostile: CgminerReply = {
    status: { letter: 'S', code: 70, msg: '', description: 'bmminer 2.4.0-asicseer-1.1.9-f7b7', when: 0 },
    body: { STATS: [{ Type: 'Antminer S9' }, { Elapsed: 1, 'GHS 5s': 1, 'GHS av': 1, fan5: 'fast' }] },
  };
  await t.rejects(antminerAsicseer.read({ ip: '10.0.0.1', cgminer: async () => hostile }), {
    code: 'MINER_BAD_REPLY',
  });
});
