import t from 'tap';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { cgminerGeneric } from '../cgminer-generic/index.js';
import { selectDriver } from '../index.js';
import { luxos } from '../luxos/index.js';
import { vnish } from '../vnish/index.js';
import { braiinsOs } from './index.js';

const candidates = [braiinsOs, cgminerGeneric, luxos, vnish];

/** A corpus reply decoded as the transport decodes it. */
const recorded = (path: string): Promise<CgminerReply> =>
  recordedClients('10.0.0.1', { probe: path }).clients.cgminer('probe');

t.test(
  'BOSminer, BOSminer+ and BOSer are recognised from version or devdetails',
  { skip: corpusMissing },
  async (t) => {
    for (const path of [
      'braiins/version.bos.json',
      'braiins/version.bosplus.json',
      'braiins/version.boser.json',
    ]) {
      const probe = { version: await recorded(path) };
      t.equal(braiinsOs.match(probe), 3, path);
      t.equal(selectDriver(probe, candidates), braiinsOs, path);
    }
    const devdetails = await recorded('braiins/devdetails.bosplus-docs.json');
    t.equal(braiinsOs.match({ devdetails }), 3, 'devdetails Description BOSminer+');
  },
);
