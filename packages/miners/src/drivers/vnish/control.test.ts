import t from 'tap';
import { control } from '../../control.js';
import { CAPABILITIES, type ControlOperation } from '../../driver.js';
import { recordedClients } from '../../test/recorded.js';
import { vnish } from './index.js';

t.test(
  'VNish offers no control over the cgminer API: every operation is refused before any request',
  async (t) => {
    t.same(vnish.capabilities, []);
    const { clients, sent } = recordedClients('10.0.0.1', {});
    const pool = { url: 'stratum+tcp://pool.example:3333', user: 'site.w1', password: 'x' };
    const operations: ControlOperation[] = [
      { kind: 'reboot' },
      { kind: 'restart-mining' },
      { kind: 'set-pools', pools: [pool] },
      { kind: 'led', on: true },
      { kind: 'power-mode', mode: 'normal' },
      { kind: 'power-limit', watts: 3000 },
      { kind: 'sleep', asleep: true },
    ];
    t.same(
      operations.map((operation) => operation.kind).sort(),
      [...CAPABILITIES].sort(),
      'every capability',
    );
    for (const operation of operations) {
      await t.rejects(control(vnish, clients, operation), { code: 'MINER_UNSUPPORTED' }, operation.kind);
    }
    t.same(sent, []);
  },
);
