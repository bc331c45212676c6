import t from 'tap';
import { PollWatch } from './index.js';

t.test('liveness: a poll loop with miners and nothing written for too long is not live', async (t) => {
  const watch = new PollWatch(30_000, 1_000);
  t.same(watch.live(5, 20_000), { ok: true }, 'still starting');
  t.same(watch.live(0, 100_000), { ok: true }, 'no miners to poll: nothing to write');
  t.same(watch.live(5, 40_000), { ok: false, reason: 'no poll written for 39 s' });
  watch.written(40_000);
  t.equal(watch.lastWriteAtMs, 40_000);
  t.same(watch.live(5, 70_000), { ok: true });
  t.same(watch.live(5, 70_001), { ok: false, reason: 'no poll written for 30 s' });
});
