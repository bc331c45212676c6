import t from 'tap';
import { PoolTable } from './pools.js';

const pools = ['a', 'b', 'c'].map((name) => ({
  url: `stratum+tcp://${name}.invalid:1`,
  user: name,
  password: 'x',
}));
const at = (accepted: number) => ({ accepted, rejected: 0, stale: 0 });

t.test('the active pool gets the shares; a switch freezes the old count', async (t) => {
  const table = new PoolTable(pools);
  t.same(
    table.rows(at(10)).map((row) => [row.index, row.active, row.accepted]),
    [
      [0, true, 10],
      [1, false, 0],
      [2, false, 0],
    ],
  );
  table.switchTo(2, at(10));
  t.same(
    table.rows(at(25)).map((row) => row.accepted),
    [10, 0, 15],
  );
  t.notOk(table.switchTo(7, at(25)), 'no such pool');
  table.enable(2, false, at(30));
  t.same(
    table.rows(at(30)).map((row) => [row.enabled, row.active]),
    [
      [true, true],
      [true, false],
      [false, false],
    ],
    'disabling the active pool hands the work on, wrapping around',
  );
  table.resetCounts();
  t.same(
    table.rows(at(0)).map((row) => row.accepted),
    [0, 0, 0],
  );
});

t.test('configure replaces the list; empty slots are not pools', async (t) => {
  const table = new PoolTable(pools);
  table.configure(
    [{ url: '', user: '', password: '' }, pools[1]!, { url: '', user: '', password: '' }],
    at(5),
  );
  t.same(
    table.rows(at(8)).map((row) => [row.index, row.active, row.accepted]),
    [[1, true, 3]],
  );
  t.equal(table.add(pools[0]!), 3);
  t.notOk(table.remove(1), 'not the active pool');
  t.ok(table.remove(0));
  t.same(
    table.rows(at(8)).map((row) => [row.index, row.url]),
    [
      [0, pools[1]!.url],
      [2, pools[0]!.url],
    ],
  );
});
