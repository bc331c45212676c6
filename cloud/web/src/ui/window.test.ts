import t from 'tap';
import { nearEnd, rowWindow } from './window';

const base = { scrollTop: 0, viewportHeight: 400, rowHeight: 40, rowCount: 10_000, overscan: 5 };

t.test('at the top: the visible rows plus overscan below, nothing above', async (t) => {
  t.same(rowWindow(base), { start: 0, end: 16, before: 0, after: (10_000 - 16) * 40 });
});

t.test('in the middle: overscan on both sides, spacers add up to the full height', async (t) => {
  const w = rowWindow({ ...base, scrollTop: 4_000 });
  t.equal(w.start, 95);
  t.equal(w.end, 116);
  t.equal(w.before + (w.end - w.start) * 40 + w.after, 10_000 * 40);
});

t.test('a fractional scroll position stays on the row it is in', async (t) => {
  t.equal(rowWindow({ ...base, overscan: 0, scrollTop: 79.5 }).start, 1);
});

t.test('at and past the end: the last rows, never beyond the count', async (t) => {
  const bottom = rowWindow({ ...base, scrollTop: 10_000 * 40 - 400 });
  t.equal(bottom.end, 10_000);
  t.equal(bottom.after, 0);
  const past = rowWindow({ ...base, rowCount: 50, scrollTop: 1e9 });
  t.equal(past.end, 50);
  t.ok(past.start < 50 && past.start >= 0);
  t.equal(past.after, 0);
});

t.test('empty and hostile input gives an empty window, never negative or NaN', async (t) => {
  t.same(rowWindow({ ...base, rowCount: 0 }), { start: 0, end: 0, before: 0, after: 0 });
  const bad = rowWindow({
    scrollTop: -50,
    viewportHeight: Number.NaN,
    rowHeight: 0,
    rowCount: -3,
    overscan: -1,
  });
  t.same(bad, { start: 0, end: 0, before: 0, after: 0 });
  const inf = rowWindow({
    ...base,
    scrollTop: Number.POSITIVE_INFINITY,
    viewportHeight: Number.POSITIVE_INFINITY,
  });
  t.ok(Number.isFinite(inf.before) && Number.isFinite(inf.after));
  t.ok(inf.end - inf.start <= 10_000);
});

t.test('a small list fits entirely', async (t) => {
  t.same(rowWindow({ ...base, rowCount: 3 }), { start: 0, end: 3, before: 0, after: 0 });
});

t.test('nearEnd asks for more only close to the last loaded row', async (t) => {
  const top = rowWindow({ ...base, rowCount: 200 });
  t.notOk(nearEnd(top, 200, 50));
  const low = rowWindow({ ...base, rowCount: 200, scrollTop: 160 * 40 });
  t.ok(nearEnd(low, 200, 50));
  t.ok(nearEnd(rowWindow({ ...base, rowCount: 0 }), 0, 50), 'nothing loaded: ask');
});
