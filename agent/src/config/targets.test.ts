import t from 'tap';
import { MAX_TARGETS, parseTargets } from './targets.js';

const all = (targets: string[], exclude: string[] = []) => [...parseTargets(targets, exclude).addresses()];

t.test('targets merge, exclusions cut holes, addresses come out once in order', async (t) => {
  t.same(all(['10.0.0.5', '10.0.0.1-10.0.0.3', '10.0.0.2,10.0.0.4']), [
    '10.0.0.1',
    '10.0.0.2',
    '10.0.0.3',
    '10.0.0.4',
    '10.0.0.5',
  ]);
  t.same(all(['10.0.0.0/29'], ['10.0.0.3', '10.0.0.5-10.0.0.9']), ['10.0.0.1', '10.0.0.2', '10.0.0.4']);
  t.same(all(['10.0.0.1-10.0.0.4'], ['10.0.0.0/24']), [], 'everything excluded');
  t.same(all(['10.0.0.255-10.0.1.1']), ['10.0.0.255', '10.0.1.0', '10.0.1.1'], 'ranges cross octets');
  const set = parseTargets([' 127.1.0.0/16 '], ['127.1.255.0/24']);
  t.equal(set.count, 65_534 - 254);
  t.same(set.entries, ['127.1.0.0/16']);
  t.same(set.exclude, ['127.1.255.0/24']);
  t.equal(parseTargets([]).count, 0);
});

t.test('the limit counts what is left to probe after exclusions', async (t) => {
  t.equal(parseTargets(['10.0.0.0/15'], ['10.1.0.0/16']).count, 65_536, '10.0.0.1-10.1.0.0');
  t.throws(() => parseTargets(['10.0.0.0/15']), new RegExp(`more than ${MAX_TARGETS}`));
  t.throws(
    () => parseTargets(['0.0.0.0/0'], ['0.0.0.0/1']),
    /more than/,
    'a huge list is refused without expanding it',
  );
  t.throws(() => parseTargets(['10.0.0.0/16', '10.1.0.0/16']), /more than/);
});

t.test('hostile or malformed entries are refused, naming the entry', async (t) => {
  for (const [targets, exclude, pattern] of [
    [['10.0.0.0/24'], ['10.0.0.x'], /10\.0\.0\.x/],
    [['1.2.3.4/'], [], /1\.2\.3\.4\//],
    [['1.2.3.4-'], [], /1\.2\.3\.4-/],
    [['::1'], [], /::1/],
    [['010.0.0.1'], [], /010\.0\.0\.1/],
    [['10.0.0.1/-1'], [], /10\.0\.0\.1\/-1/],
    [['10.0.0.1\n10.0.0.2'], [], /not an IPv4/],
    [['\u202e10.0.0.1'], [], /not an IPv4/],
    [[`10.0.0.1${' '.repeat(10)}x`], [], /not an IPv4/],
    [['1'.repeat(10_000)], [], /too long/],
    [['$(reboot)'], [], /\$\(reboot\)/],
  ] as const) {
    t.throws(() => parseTargets(targets, exclude), pattern, JSON.stringify(targets[0]).slice(0, 40));
  }
  const long = (() => {
    try {
      parseTargets(['9'.repeat(100_000)]);
    } catch (error) {
      return (error as Error).message;
    }
  })();
  t.ok(long !== undefined && long.length < 200, 'the message does not repeat a huge entry');
});
