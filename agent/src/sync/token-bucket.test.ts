import t from 'tap';
import { TokenBucket } from './token-bucket.js';

t.test('the bucket lets a second’s worth through at once, then paces to the rate', async (t) => {
  let clock = 0;
  const slept: number[] = [];
  const bucket = new TokenBucket(
    1000,
    () => clock,
    async (ms) => {
      slept.push(ms);
      clock += ms;
    },
  );
  await bucket.take(1000);
  t.equal(clock, 0, 'the first second’s worth goes at once');
  for (let i = 0; i < 5; i++) await bucket.take(500);
  t.equal(clock, 2500, '2,500 more bytes at 1,000 B/s take 2.5 s');
  clock += 60_000; // a long idle spell
  await bucket.take(1000);
  const before = clock;
  await bucket.take(1000);
  t.equal(clock - before, 1000, 'idle time never builds more than one second of credit');
  await bucket.take(5000);
  t.equal(clock - before, 6000, 'a message larger than a second’s worth still goes, at the rate');
  t.throws(() => new TokenBucket(0), RangeError);
});
