import t from 'tap';
import { isLoopback, LOOPBACK_ONLY, loopbackHosts } from './loopback.js';

t.test('first hosts of a loopback block', async (t) => {
  t.same(loopbackHosts('127.1.0.0/16', 3), ['127.1.0.1', '127.1.0.2', '127.1.0.3']);
  t.same(loopbackHosts('127.1.0.9/16', 1), ['127.1.0.1'], 'host bits are ignored');
  t.same(loopbackHosts('127.2.0.250/24', 0), []);
  t.equal(loopbackHosts('127.3.0.0/23', 300).at(-1), '127.3.1.44', 'crosses into the next /24');
  t.same(loopbackHosts('127.4.5.6/32', 1), ['127.4.5.6']);
  t.same(loopbackHosts('127.0.0.0/8', 1), ['127.0.0.1']);
});

t.test('refuses what is not a loopback block or is too small', async (t) => {
  t.throws(() => loopbackHosts('10.0.0.0/24', 1), { code: 'SIMULATOR_BAD_ARGS', message: LOOPBACK_ONLY });
  t.throws(() => loopbackHosts('126.0.0.0/7', 1), { message: LOOPBACK_ONLY }, 'wider than 127/8');
  t.throws(() => loopbackHosts('0.0.0.0/0', 1), { message: LOOPBACK_ONLY });
  t.throws(() => loopbackHosts('127.1.0.0/30', 3), {
    message: '--cidr 127.1.0.0/30 has 2 host addresses, not 3',
  });
  for (const bad of [
    '127.1.0.0',
    '127.1.0.0/33',
    '127.1.0.256/16',
    '127.1.0/16',
    'localhost/8',
    '127.1.0.0/16/2',
  ]) {
    t.throws(
      () => loopbackHosts(bad, 1),
      { code: 'SIMULATOR_BAD_ARGS', message: /is not an IPv4 CIDR block/ },
      bad,
    );
  }
});

t.test('isLoopback', async (t) => {
  t.ok(isLoopback('127.0.0.1'));
  t.ok(isLoopback('127.250.3.4'));
  t.notOk(isLoopback('128.0.0.1'));
  t.notOk(isLoopback('0.0.0.0'));
  t.notOk(isLoopback('::1'));
  t.notOk(isLoopback('127.0.0.300'));
});
