// One conformance test over every driver: each must bring real recorded replies, read them to the exact Reading,
// and be the driver identification picks for them. A driver without cases fails here.
import t from 'tap';
import { type ConformanceCase, corpusMissing, recordedClients } from '../test/recorded.js';
import { cases as cgminerGeneric } from './cgminer-generic/cases.js';
import { drivers, selectDriver } from './index.js';

const casesByDriver: Record<string, ConformanceCase[]> = {
  'cgminer-generic': cgminerGeneric,
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
        t.same(await driver.read(clients), testCase.expected);
        const probe = await recordedClients('10.0.0.1', testCase.replies)
          .clients.cgminer('version')
          .then(
            (version) => ({ version }),
            () => ({}),
          );
        if ('version' in probe)
          t.equal(selectDriver(probe)?.id, driver.id, 'identification picks this driver');
      });
    }
  }
});
