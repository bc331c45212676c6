import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CORPUS_DIR, corpusMissing, recordedClients } from '../../test/recorded.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { braiinsOs } from '../braiins-os/index.js';
import { cgminerGeneric } from '../cgminer-generic/index.js';
import { selectDriver } from '../index.js';
import { luxos } from '../luxos/index.js';
import { vnish } from './index.js';

const candidates = [vnish, cgminerGeneric, braiinsOs, luxos];

/** A corpus reply decoded as the transport decodes it. */
const recorded = (path: string): Promise<CgminerReply> =>
  recordedClients('10.0.0.1', { probe: path }).clients.cgminer('probe');

t.test(
  'the S9 stats really are broken JSON: read after the transport repairs them',
  { skip: corpusMissing },
  async (t) => {
    const raw = readFileSync(join(CORPUS_DIR, 'vnish/rpc/stats.s9-vnish-3.8.6.invalid.json'), 'utf8');
    t.throws(() => JSON.parse(raw), SyntaxError);
    const reading = await vnish.read(
      recordedClients('10.0.0.1', { stats: 'vnish/rpc/stats.s9-vnish-3.8.6.invalid.json' }).clients,
    );
    t.equal(reading.model, 'Antminer S9');
  },
);

t.test('VNish 1.2 refuses version and is recognised from devdetails', { skip: corpusMissing }, async (t) => {
  await t.rejects(recorded('vnish/rpc/version.json'), { code: 'MINER_COMMAND_FAILED' });
  const probe = { devdetails: await recorded('vnish/rpc/devdetails.json') };
  t.equal(vnish.match(probe), 3);
  t.equal(selectDriver(probe, candidates), vnish);
});

t.test('old VNish names itself in version', async (t) => {
  const version: CgminerReply = {
    status: { letter: 'S', code: 22, msg: 'BMMiner versions', description: 'bmminer 1.0.0', when: 0 },
    body: { VERSION: [{ BMMiner: '2.0.0', API: '3.1', Type: 'Antminer S9 (vnish 3.8.6)' }] },
  };
  t.equal(vnish.match({ version }), 3);
  t.equal(selectDriver({ version }, candidates), vnish, 'over the generic driver that also claims bmminer');
});
