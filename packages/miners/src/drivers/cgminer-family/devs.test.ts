import t from 'tap';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { nominalMhs } from './devs.js';

const devs = (list: unknown): CgminerReply => ({
  status: { letter: 'S', code: 9, msg: '3 ASC(s)', description: 'LUXminer 2025.4.8', when: 0 },
  body: { DEVS: list },
});

t.test('the rated hashrate is the sum of the devices Nominal MHS', async (t) => {
  t.equal(nominalMhs(devs([{ 'Nominal MHS': 20651400.0 }, { 'Nominal MHS': '20651400.4' }])), 41_302_800);
  t.equal(nominalMhs(devs([{ 'MHS 5s': 1 }])), 0, 'not reported');
  t.equal(nominalMhs(undefined), 0, 'devs refused');
});

t.test('a nominal rate it cannot trust is a bad reply', async (t) => {
  for (const value of ['fast', null, -1, 1e13, Number.NaN]) {
    t.throws(() => nominalMhs(devs([{ 'Nominal MHS': value }])), { code: 'MINER_BAD_REPLY' }, String(value));
  }
});
