// One conformance test over every driver: each must bring real recorded replies, read them to the exact Reading,
// and (where the case recorded the probe replies) be the driver identification picks for them. A driver without
// cases fails here.
import t from 'tap';
import { identify } from '../identify.js';
import { type ConformanceCase, corpusMissing, recordedClients } from '../test/recorded.js';
import { cases as antminerAsicseer } from './antminer-asicseer/cases.js';
import { cases as antminerHiveon } from './antminer-hiveon/cases.js';
import { cases as antminerStock } from './antminer-stock/cases.js';
import { cases as avalonCgminer } from './avalon-cgminer/cases.js';
import { cases as braiinsOs } from './braiins-os/cases.js';
import { cases as cgminerGeneric } from './cgminer-generic/cases.js';
import { drivers } from './index.js';
import { cases as luxos } from './luxos/cases.js';
import { cases as vnish } from './vnish/cases.js';
import { cases as whatsminerBtminer } from './whatsminer-btminer/cases.js';

const casesByDriver: Record<string, ConformanceCase[]> = {
  'antminer-stock': antminerStock,
  'antminer-hiveon': antminerHiveon,
  'antminer-asicseer': antminerAsicseer,
  'avalon-cgminer': avalonCgminer,
  'braiins-os': braiinsOs,
  'cgminer-generic': cgminerGeneric,
  luxos,
  vnish,
  'whatsminer-btminer': whatsminerBtminer,
};

t.test('every registered driver brings conformance cases', async (t) => {
  for (const driver of drivers) {
    t.ok((casesByDriver[driver.id]?.length ?? 0) > 0, `${driver.id} has recorded cases`);
  }
  t.same(
    Object.keys(casesByDriver).sort(),
    drivers.map((d) => d.id).sort(),
    'no cases for an unregistered driver',
  );
});

t.test('every driver reads its recorded replies exactly', { skip: corpusMissing }, async (t) => {
  for (const driver of drivers) {
    for (const testCase of casesByDriver[driver.id] ?? []) {
      t.test(`${driver.id}: ${testCase.name}`, async (t) => {
        const { clients } = recordedClients('10.0.0.1', testCase.replies);
        t.strictSame(await driver.read(clients), testCase.expected);
        if (testCase.replies.version !== undefined || testCase.replies.devdetails !== undefined) {
          const { driver: identified } = await identify(
            recordedClients('10.0.0.1', testCase.replies).clients,
          );
          t.equal(identified.id, driver.id, 'identification picks this driver');
        }
      });
    }
  }
});
