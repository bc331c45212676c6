import t from 'tap';
import { durationParts, isRangeKey, portalRange, RANGE_KEYS } from './portal-range';

const NOW = Date.parse('2025-03-10T12:34:56.789Z');

t.test('each range ends on the minute and spans its length', async (t) => {
  t.same(portalRange('24h', NOW), {
    from: '2025-03-09T12:34:00.000Z',
    to: '2025-03-10T12:34:00.000Z',
    resolution: '5m',
    period: 'day',
  });
  t.same(portalRange('7d', NOW), {
    from: '2025-03-03T12:34:00.000Z',
    to: '2025-03-10T12:34:00.000Z',
    resolution: '1h',
    period: 'day',
  });
  t.same(portalRange('30d', NOW), {
    from: '2025-02-08T12:34:00.000Z',
    to: '2025-03-10T12:34:00.000Z',
    resolution: '1d',
    period: 'week',
  });
});

t.test('two polls within one minute ask the same question', async (t) => {
  t.same(portalRange('7d', NOW), portalRange('7d', NOW + 3_000));
  t.not(portalRange('7d', NOW).to, portalRange('7d', NOW + 60_000).to);
});

t.test('no range asks the cloud for more than a few hundred points', async (t) => {
  const bucketMs = { '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 };
  for (const key of RANGE_KEYS) {
    const range = portalRange(key, NOW);
    const points = (Date.parse(range.to) - Date.parse(range.from)) / bucketMs[range.resolution];
    t.ok(points <= 300, `${key}: ${points} points`);
  }
});

t.test('only the known keys are ranges (the address bar is user input)', async (t) => {
  for (const key of RANGE_KEYS) t.ok(isRangeKey(key));
  for (const bad of ['', '1y', '24H', '__proto__', null, undefined, '7d '])
    t.notOk(isRangeKey(bad), String(bad));
});

t.test('durationParts splits seconds into whole days, hours and minutes', async (t) => {
  t.same(durationParts(0), { d: 0, h: 0, m: 0 });
  t.same(durationParts(59), { d: 0, h: 0, m: 0 });
  t.same(durationParts(3 * 86_400 + 4 * 3600 + 5 * 60 + 6), { d: 3, h: 4, m: 5 });
  t.same(durationParts(-5), { d: 0, h: 0, m: 0 }, 'a clock skew is not a negative uptime');
  t.same(durationParts(Number.NaN), { d: 0, h: 0, m: 0 });
});
