import t from 'tap';
import { control } from '../../control.js';
import type { ControlOperation } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import { braiinsOs } from './index.js';

const documented = { pause: 'braiins/pause.bosplus-docs.json', resume: 'braiins/resume.bosplus-docs.json' };

t.test('sleep is `pause` (Code 204), waking is `resume` (Code 205)', { skip: corpusMissing }, async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', documented);
  await control(braiinsOs, clients, { kind: 'sleep', asleep: true });
  await control(braiinsOs, clients, { kind: 'sleep', asleep: false });
  t.same(sent, ['pause', 'resume']);
});

t.test('a reply with another Code does not confirm it', { skip: corpusMissing }, async (t) => {
  // A firmware answering `pause` with the reply of `resume` did not pause.
  const { clients } = recordedClients('10.0.0.1', { pause: documented.resume, resume: documented.pause });
  await t.rejects(control(braiinsOs, clients, { kind: 'sleep', asleep: true }), {
    code: 'MINER_COMMAND_FAILED',
    message: /'pause' was not confirmed: Code 205/,
  });
  await t.rejects(control(braiinsOs, clients, { kind: 'sleep', asleep: false }), {
    code: 'MINER_COMMAND_FAILED',
    message: /'resume' was not confirmed: Code 204/,
  });
});

t.test('a BOSminer without pause (read-only API) refuses it: a failed command', async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', {});
  await t.rejects(control(braiinsOs, clients, { kind: 'sleep', asleep: true }), {
    code: 'MINER_COMMAND_FAILED',
  });
  t.same(sent, ['pause']);
});

t.test('a lost connection is not a refusal', async (t) => {
  const clients = {
    ip: '10.0.0.1',
    cgminer: () => Promise.reject(new MinerError('MINER_CONNECTION_RESET', 'reset')),
  };
  await t.rejects(control(braiinsOs, clients, { kind: 'sleep', asleep: true }), {
    code: 'MINER_CONNECTION_RESET',
  });
});

t.test('pools (not persistent over cgminer on BOS) and the rest: refused before any request', async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', documented);
  const pool = { url: 'stratum+tcp://pool.example:3333', user: 'site.w1', password: 'x' };
  const undeclared: ControlOperation[] = [
    { kind: 'set-pools', pools: [pool] },
    { kind: 'reboot' },
    { kind: 'restart-mining' },
    { kind: 'led', on: true },
    { kind: 'power-mode', mode: 'low' },
    { kind: 'power-limit', watts: 1200 },
  ];
  for (const operation of undeclared) {
    await t.rejects(control(braiinsOs, clients, operation), { code: 'MINER_UNSUPPORTED' }, operation.kind);
  }
  t.same(sent, []);
});
