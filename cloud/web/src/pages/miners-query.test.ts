import t from 'tap';
import {
  cleanText,
  fleetFilter,
  listStateToQuery,
  mergeRefreshed,
  minerKey,
  minersPath,
  nextSort,
  readListState,
} from './miners-query';

const read = (search: string) => readListState(new URLSearchParams(search));

t.test('an empty address is the default sort and no filter', async (t) => {
  t.same(read(''), { sort: 'ip', order: 'asc' });
});

t.test('a full address round-trips through the state', async (t) => {
  const state = read('sort=hashrate&order=desc&status=offline&model=S19j%20Pro&q=rack-1');
  t.same(state, { sort: 'hashrate', order: 'desc', status: 'offline', model: 'S19j Pro', q: 'rack-1' });
  const back = new URLSearchParams();
  for (const [k, v] of Object.entries(listStateToQuery(state))) if (v !== undefined) back.set(k, v);
  t.same(readListState(back), state);
});

t.test('defaults are left out of the address', async (t) => {
  t.same(listStateToQuery({ sort: 'ip', order: 'asc' }), {
    sort: undefined,
    order: undefined,
    status: undefined,
    model: undefined,
    q: undefined,
  });
});

t.test('hostile or malformed values fall back instead of reaching the cloud', async (t) => {
  const state = read(`sort=__proto__&order=sideways&status=pwned&q=${'x'.repeat(500)}&model=%00%00`);
  t.equal(state.sort, 'ip');
  t.equal(state.order, 'asc');
  t.equal(state.status, undefined);
  t.equal(state.q?.length, 100, 'cut to the cloud limit');
  t.equal(state.model, undefined, 'only NULs is no filter');
  t.equal(cleanText('  a\u0000b  '), 'ab');
  t.equal(cleanText('   '), undefined);
  t.equal(cleanText(null), undefined);
});

t.test('nextSort flips the same column and starts a new one at the interesting end', async (t) => {
  t.same(nextSort({ sort: 'ip', order: 'asc' }, 'ip'), { sort: 'ip', order: 'desc' });
  t.same(nextSort({ sort: 'ip', order: 'desc' }, 'ip'), { sort: 'ip', order: 'asc' });
  t.same(nextSort({ sort: 'ip', order: 'asc' }, 'hashrate'), { sort: 'hashrate', order: 'desc' });
  t.same(nextSort({ sort: 'hashrate', order: 'desc' }, 'model'), { sort: 'model', order: 'asc' });
});

t.test('the path and the command filter carry the scope and the filters', async (t) => {
  const state = read('status=ok&q=a b&sort=temperature&order=desc');
  t.equal(
    minersPath(state, { siteId: 's1' }, { limit: 200 }),
    '/api/miners?siteId=s1&status=ok&q=a+b&sort=temperature&order=desc&limit=200',
  );
  t.equal(
    minersPath(read(''), {}, { limit: 500, cursor: 'c&d=1' }),
    '/api/miners?sort=ip&order=asc&limit=500&cursor=c%26d%3D1',
    'the cursor is escaped',
  );
  t.same(fleetFilter(state, { customerId: 'c1' }), { customerId: 'c1', status: 'ok', q: 'a b' });
  t.same(fleetFilter(read(''), {}), {}, 'no filter at all: the caller must not send an empty filter target');
});

t.test('miner keys cannot collide through separators', async (t) => {
  t.not(minerKey({ agentId: 'a/b', minerId: 'c' }), minerKey({ agentId: 'a', minerId: 'b/c' }));
  t.not(minerKey({ agentId: 'a","b', minerId: 'c' }), minerKey({ agentId: 'a', minerId: 'b","c' }));
});

t.test('a refresh replaces the first rows and keeps the rest without duplicates', async (t) => {
  const m = (id: string) => ({ agentId: 'a', minerId: id });
  const loaded = ['1', '2', '3', '4', '5'].map(m);
  const fresh = ['9', '1', '2'].map(m);
  t.same(
    mergeRefreshed(loaded, fresh, minerKey).map((r) => r.minerId),
    ['9', '1', '2', '4', '5'],
  );
  t.same(
    mergeRefreshed(loaded, ['4', '1'].map(m), minerKey).map((r) => r.minerId),
    ['4', '1', '3', '5'],
  );
  t.same(
    mergeRefreshed([], fresh, minerKey).map((r) => r.minerId),
    ['9', '1', '2'],
  );
});
