// One conformance test over every driver: each must bring real recorded replies, read them to the exact Reading,
// and (where the case recorded the probe replies) be the driver identification picks for them. A driver without
// cases fails here.
import { readdirSync } from 'node:fs';
import t from 'tap';
import type { Probe } from '../driver.js';
import { MinerError } from '../errors.js';
import { identify } from '../identify.js';
import { CORPUS_DIR, type ConformanceCase, corpusMissing, recordedClients } from '../test/recorded.js';
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

/** Corpus folder -> the drivers allowed to claim its probe replies (the generic driver's score 1 is always allowed). */
const OWNERS: Record<string, string[]> = {
  'antminer-bmminer': ['antminer-stock'],
  'antminer-cgminer': ['antminer-stock'],
  asicseer: ['antminer-asicseer'],
  avalon: ['avalon-cgminer'],
  braiins: ['braiins-os'],
  cgminer: [],
  hiveon: ['antminer-hiveon'],
  luxos: ['luxos'],
  vnish: ['vnish'],
  whatsminer: ['whatsminer-btminer'],
};

t.test(
  'no driver claims another firmware family recorded in the corpus',
  { skip: corpusMissing },
  async (t) => {
    const probes = readdirSync(CORPUS_DIR, { recursive: true, encoding: 'utf8' })
      .filter((path) => /(^|\/)(version|devdetails)[^/]*\.json$/.test(path))
      .sort();
    t.ok(probes.length >= 15, `${probes.length} recorded version/devdetails replies`);
    for (const path of probes) {
      const folder = path.split('/')[0] ?? '';
      t.ok(folder in OWNERS, `${folder}/ has its owners listed`);
      const reply = await recordedClients('10.0.0.1', { probe: path })
        .clients.cgminer('probe')
        .catch((error: unknown) => {
          if (error instanceof MinerError) return undefined; // a refusal (VNish `version`, Hiveon Code 45)
          throw error;
        });
      if (reply === undefined) continue;
      const probe: Probe = path.includes('devdetails') ? { devdetails: reply } : { version: reply };
      for (const driver of drivers) {
        if (driver.id === 'cgminer-generic' || OWNERS[folder]?.includes(driver.id)) continue;
        t.equal(driver.match(probe), 0, `${driver.id} does not claim ${path}`);
      }
    }
  },
);
