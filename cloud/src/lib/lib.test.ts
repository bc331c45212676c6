import t from 'tap';
import { uuidv7 } from './ids.js';
import { KeyedQueue } from './keyed-queue.js';
import { isLoopbackHost } from './loopback.js';

t.test('uuidv7 ids are RFC 9562 version 7 and sort by time', async (t) => {
  const early = uuidv7(1_700_000_000_000);
  const late = uuidv7(1_700_000_000_001);
  t.match(early, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.ok(early < late);
  t.equal(early.slice(0, 13).replace('-', ''), (1_700_000_000_000).toString(16).padStart(12, '0'));
});

t.test('KeyedQueue runs one key in order, keys in parallel, and drains', async (t) => {
  const queue = new KeyedQueue();
  const events: string[] = [];
  const step = (name: string, ms: number) => async () => {
    events.push(`start ${name}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    events.push(`end ${name}`);
  };
  void queue.add('a', step('a1', 30));
  void queue.add('a', step('a2', 1));
  void queue.add('b', step('b1', 1));
  void queue
    .add('a', async () => {
      throw new Error('a failing task does not stop the queue');
    })
    .catch(() => events.push('a3 failed'));
  void queue.add('a', step('a4', 1));
  await queue.drain();
  t.same(events, [
    'start a1',
    'start b1',
    'end b1',
    'end a1',
    'start a2',
    'end a2',
    'a3 failed',
    'start a4',
    'end a4',
  ]);
});

t.test('isLoopbackHost: 127.0.0.0/8, ::1 and localhost only', async (t) => {
  for (const host of [
    '127.0.0.1',
    '127.1.2.3',
    '127.255.255.254',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])
    t.equal(isLoopbackHost(host), true, host);
  for (const host of ['localhost', 'LOCALHOST', 'localhost.']) t.equal(isLoopbackHost(host), true, host);
  for (const host of [
    '0.0.0.0',
    '::',
    '10.0.0.5',
    '128.0.0.1',
    '126.255.255.255',
    '::2',
    'cloud.example',
    '',
  ])
    t.equal(isLoopbackHost(host), false, JSON.stringify(host));
});
