import t from 'tap';
import { createThrottle, type Timers } from './throttle';

function manualClock() {
  let now = 0;
  const due: { at: number; run: () => void; id: number }[] = [];
  let ids = 0;
  const timers: Timers = {
    now: () => now,
    setTimeout: (run, ms) => {
      const id = ++ids;
      due.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = due.findIndex((d) => d.id === id);
      if (i >= 0) due.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const d of due.filter((d) => d.at <= now)) {
      due.splice(due.indexOf(d), 1);
      d.run();
    }
  };
  return { timers, advance, pending: () => due.length };
}

t.test('first call runs at once; a burst folds into one trailing run', async (t) => {
  const clock = manualClock();
  let runs = 0;
  const throttle = createThrottle(() => runs++, 2000, clock.timers);
  throttle.call();
  t.equal(runs, 1);
  for (let i = 0; i < 50; i++) {
    clock.advance(10);
    throttle.call();
  }
  t.equal(runs, 1, 'nothing more inside the interval');
  t.equal(clock.pending(), 1, 'one trailing run scheduled');
  clock.advance(2000);
  t.equal(runs, 2, 'the trailing run happened once');
  clock.advance(5000);
  throttle.call();
  t.equal(runs, 3, 'after a quiet interval the next call runs at once');
});

t.test('cancel drops the trailing run (a page that went away)', async (t) => {
  const clock = manualClock();
  let runs = 0;
  const throttle = createThrottle(() => runs++, 1000, clock.timers);
  throttle.call();
  throttle.call();
  throttle.cancel();
  clock.advance(5000);
  t.equal(runs, 1);
});
