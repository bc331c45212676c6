import t from 'tap';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { luxos } from './index.js';

/** A corpus reply decoded as the transport decodes it. */
const recorded = (path: string): Promise<CgminerReply> =>
  recordedClients('10.0.0.1', { probe: path }).clients.cgminer('probe');

t.test('other firmware is not LuxOS', { skip: corpusMissing }, async (t) => {
  const others = [
    'antminer-bmminer/version.json',
    'antminer-bmminer/version.s19-sleeping.json',
    'antminer-bmminer/version.s9.json',
    'antminer-cgminer/version.l3plus.json',
    'avalon/version.a1566.json',
    'avalon/version.avalon-q.json',
    'braiins/version.bos.json',
    'braiins/version.boser.json',
    'braiins/version.bosplus.json',
    'hiveon/version.s19jpro.json',
    'hiveon/version.s9.json',
  ];
  for (const path of others) t.equal(luxos.match({ version: await recorded(path) }), 0, path);
  const details = [
    'avalon/devdetails.avalon-q.json',
    'braiins/devdetails.bosplus-docs.json',
    'cgminer/devdetails.json',
    'vnish/rpc/devdetails.json',
  ];
  for (const path of details) t.equal(luxos.match({ devdetails: await recorded(path) }), 0, path);
  t.equal(luxos.match({}), 0, 'nothing answered');
});
