import t from 'tap';
import type { Probe } from '../../driver.js';
import { corpusMissing, corpusReply, recordedClients } from '../../test/recorded.js';
import { decodeReply } from '../../transports/cgminer/reply.js';
import { antminerAsicseer } from '../antminer-asicseer/index.js';
import { antminerStock } from '../antminer-stock/index.js';
import { cgminerGeneric } from '../cgminer-generic/index.js';
import { selectDriver } from '../index.js';
import { antminerHiveon } from './index.js';
import { hiveonStats } from './parse.js';

const candidates = [antminerHiveon, cgminerGeneric, antminerStock, antminerAsicseer];
const versionProbe = (path: string): Probe => ({ version: decodeReply(corpusReply(path)) });

t.test('Hiveon outscores stock on its version replies', { skip: corpusMissing }, async (t) => {
  for (const path of ['hiveon/version.s9.json', 'hiveon/version.s19jpro.json']) {
    t.equal(antminerHiveon.match(versionProbe(path)), 3, path);
    t.equal(selectDriver(versionProbe(path), candidates), antminerHiveon, path);
  }
});

t.test(
  'a Hiveon that refuses devdetails (Code 45) is identified from version alone',
  { skip: corpusMissing },
  async (t) => {
    const { clients } = recordedClients('10.0.0.1', {
      version: 'hiveon/version.s19jpro.json',
      devdetails: 'hiveon/devdetails.access-denied.json',
    });
    // identify() asks devdetails only while no driver scores 2 or more after version.
    const probe: Probe = { version: await clients.cgminer('version') };
    t.ok(antminerHiveon.match(probe) >= 2, 'sure after version: devdetails is never asked');
    await t.rejects(clients.cgminer('devdetails'), { code: 'MINER_COMMAND_FAILED', message: /Code 45/ });
    t.equal(antminerHiveon.match({ ...probe }), 3, 'a refused devdetails leaves the probe as it was');
  },
);

t.test('Hiveon corrections compose stock parsing', async (t) => {
  const stats = {
    model: 'Antminer S19JPRO Hiveon',
    firmware: 'BMMiner 4.11.1 rwglr',
    rateMhs: 1,
    rateAvgMhs: 1,
    uptimeS: 1,
    boards: [],
    fansRpm: [],
    data: {},
  };
  t.match(hiveonStats(stats), { model: 'Antminer S19JPRO', firmware: 'Hiveon BMMiner 4.11.1 rwglr' });
  t.match(hiveonStats({ ...stats, model: 'Antminer S9' }), { model: 'Antminer S9' }, 'no suffix, no change');
  const hostile = {
    ip: '10.0.0.1',
    cgminer: async () => ({
      status: { letter: 'S' as const, code: 70, msg: '', description: 'bmminer 1.0.0', when: 0 },
      body: { STATS: [{ Type: 'Antminer S9 Hiveon' }, { Elapsed: 1, 'GHS 5s': 'nan', 'GHS av': 1 }] },
    }),
  };
  await t.rejects(antminerHiveon.read(hostile), { code: 'MINER_BAD_REPLY' });
});
