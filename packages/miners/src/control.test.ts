import t from 'tap';
import { control } from './control.js';
import type { ControlOperation, Driver, MinerClients } from './driver.js';

/** Clients that record every request, so a test can prove nothing was sent. */
function countingClients() {
  const sent: string[] = [];
  const clients: MinerClients = {
    ip: '10.0.0.1',
    cgminer: async (command) => {
      sent.push(command);
      return { status: { letter: 'S', code: 0, msg: '', description: '', when: 0 }, body: {} };
    },
  };
  return { clients, sent };
}

const performed: ControlOperation[] = [];
const driver: Driver = {
  id: 'test-driver',
  name: 'Test firmware',
  match: () => 0,
  read: async () => {
    throw new Error('not read here');
  },
  capabilities: ['reboot', 'set-pools', 'power-limit'],
  control: async (clients, operation) => {
    await clients.cgminer(operation.kind);
    performed.push(operation);
  },
};

t.test('a declared operation reaches the driver', async (t) => {
  const { clients, sent } = countingClients();
  await control(driver, clients, { kind: 'reboot' });
  t.same(sent, ['reboot']);
  t.same(performed.at(-1), { kind: 'reboot' });
});

t.test('an undeclared operation fails typed, before any request', async (t) => {
  const { clients, sent } = countingClients();
  for (const operation of [
    { kind: 'led', on: true },
    { kind: 'sleep', asleep: true },
  ] as ControlOperation[]) {
    await t.rejects(control(driver, clients, operation), { name: 'MinerError', code: 'MINER_UNSUPPORTED' });
  }
  const { control: _, ...withoutControl } = driver;
  await t.rejects(control(withoutControl, clients, { kind: 'reboot' }), { code: 'MINER_UNSUPPORTED' });
  t.same(sent, [], 'nothing was sent');
});

t.test('bad arguments fail typed, before any request', async (t) => {
  const { clients, sent } = countingClients();
  const pool = { url: 'stratum+tcp://pool.example:3333', user: 'site.w1', password: 'x' };
  const bad: ControlOperation[] = [
    { kind: 'set-pools', pools: [] },
    { kind: 'set-pools', pools: [pool, pool, pool, pool] },
    { kind: 'set-pools', pools: [{ ...pool, url: 'http://pool.example' }] },
    { kind: 'set-pools', pools: [{ ...pool, url: 'stratum+tcp://pool.example:3333,evil' }] },
    { kind: 'set-pools', pools: [{ ...pool, user: 'a,b' }] },
    { kind: 'set-pools', pools: [{ ...pool, user: '' }] },
    { kind: 'set-pools', pools: [{ ...pool, password: 'x|quit' }] },
    { kind: 'power-limit', watts: 5 },
    { kind: 'power-limit', watts: 3250.5 },
    { kind: 'power-limit', watts: Number.NaN },
  ];
  for (const operation of bad) {
    await t.rejects(
      control(driver, clients, operation),
      { code: 'MINER_BAD_ARGUMENT' },
      JSON.stringify(operation),
    );
  }
  t.same(sent, []);
  await control(driver, clients, { kind: 'set-pools', pools: [pool] });
  t.same(sent, ['set-pools'], 'a good pool list goes through');
});
