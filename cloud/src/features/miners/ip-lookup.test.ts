// Miner IPs encrypted at rest, seen through the API (issue #6): staff find miners by an exact address or a
// subnet and see the address; customers and the portal never get one, nor find miners by one; no tenant's
// search reaches another's miners; rows stored in clear are sealed when the app starts. On every dialect.
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { vaultIpCiphers } from '../../test/ip-keys.js';
import { TenantIpCiphers } from './ip-ciphers.js';
import { resealMinerIps, sealPlaintextIps } from './ip-jobs.js';

const T0 = 1_795_000_000_000;
const LATEST = {
  status: 'ok',
  hashrateMhs: 1,
  hashrateExpectedMhs: 1,
  powerW: 1,
  chipTempsDc: [600],
  timeMs: T0,
};

/** Tenant A: a1 10.0.1.5, a2 10.0.1.50, a3 10.0.2.5 (a1 its customer's); tenant B: b1 10.0.1.5, b2 10.9.9.9. */
async function setup(t: Test, db: Db) {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  const miners = [
    ['agent-a', 'a1', a, '10.0.1.5', a.customerId],
    ['agent-a', 'a2', a, '10.0.1.50', null],
    ['agent-a', 'a3', a, '10.0.2.5', null],
    ['agent-b', 'b1', b, '10.0.1.5', b.customerId],
    ['agent-b', 'b2', b, '10.9.9.9', null],
  ] as const;
  for (const [agentId, id, tenant, ip, customerId] of miners) {
    await insertMiner(db, {
      agentId,
      id,
      tenantId: tenant.tenantId,
      siteId: tenant.siteId,
      customerId,
      ip,
      lastSeenAt: T0,
      latest: LATEST,
    });
  }
  const app = await buildAppOver(t, db, () => T0 + 60_000);
  await app.ready(); // the stored clear addresses are sealed now
  return {
    app,
    a,
    b,
    ownerA: await accessToken(app, db, a.users.owner),
    siteA: await accessToken(app, db, a.users.mining_site),
    ownerB: await accessToken(app, db, b.users.owner),
    customerA: await accessToken(app, db, a.users.customer),
  };
}

async function list(app: FastifyInstance, token: string, query: string) {
  const response = await app.inject({ method: 'GET', url: `/api/miners?${query}`, headers: bearer(token) });
  if (response.statusCode !== 200) throw new Error(response.body);
  return response.json().data.miners as { id: string; ip: string }[];
}
const found = async (app: FastifyInstance, token: string, q: string) =>
  (await list(app, token, `q=${encodeURIComponent(q)}`)).map((m) => m.id).sort();

testEachDialect('staff find miners by exact address or subnet, within their tenant only', async (t, db) => {
  const { app, ownerA, siteA, ownerB } = await setup(t, db);
  t.same(await found(app, ownerA, '10.0.1.5'), ['a1'], 'exact: not .50, not tenant B’s 10.0.1.5');
  t.same(await found(app, ownerA, '10.0.1.50'), ['a2']);
  for (const q of ['10.0.1', '10.0.1.', '10.0.1.*', '10.0.1.0/24']) {
    t.same(await found(app, ownerA, q), ['a1', 'a2'], `subnet ${q}`);
  }
  t.same(await found(app, siteA, '10.0.2.0/24'), ['a3'], 'a mining_site user too');
  t.same(await found(app, ownerA, '10.9.9.9'), [], "another tenant's address finds nothing");
  t.same(await found(app, ownerB, '10.0.1.5'), ['b1'], 'tenant B finds only its own');
  t.same(await found(app, ownerB, '10.0.1.50'), []);
  t.same(await found(app, ownerA, '10.0'), [], 'no substring of an address');
  t.same(await found(app, ownerA, 'a2'), ['a2'], 'text search on the other columns still works');

  const listed = await list(app, ownerA, 'sort=ip&limit=10');
  t.same(
    listed.map((m) => [m.id, m.ip]).sort(),
    [
      ['a1', '10.0.1.5'],
      ['a2', '10.0.1.50'],
      ['a3', '10.0.2.5'],
    ],
    'staff see the decrypted address',
  );
  const detail = await app.inject({ method: 'GET', url: '/api/miners/agent-a/a2', headers: bearer(ownerA) });
  t.equal(detail.json().data.miner.ip, '10.0.1.50');
  const summary = async (token: string, q: string) =>
    (
      await app.inject({
        method: 'GET',
        url: `/api/fleet/summary?q=${encodeURIComponent(q)}`,
        headers: bearer(token),
      })
    ).json().data.miners.total;
  t.equal(await summary(ownerA, '10.0.1.0/24'), 2, 'the fleet summary filters by subnet too');
  t.equal(await summary(ownerA, '10.0.2.5'), 1);
  t.equal(await summary(ownerB, '10.0.2.5'), 0);
  const a1 = listed.findIndex((m) => m.id === 'a1');
  t.equal(listed[a1 + 1]?.id, 'a2', 'one subnet together, in host order');
});

testEachDialect('customers and the portal never get an address, nor find miners by one', async (t, db) => {
  const { app, customerA } = await setup(t, db);
  const own = await list(app, customerA, 'limit=10');
  t.same(
    own.map((m) => [m.id, m.ip]),
    [['a1', '']],
    'the customer sees its miner without the address',
  );
  t.same(await found(app, customerA, '10.0.1.5'), [], 'its own address is no search key either');
  t.same(await found(app, customerA, '10.0.1'), []);
  const summary = await app.inject({
    method: 'GET',
    url: '/api/fleet/summary?q=10.0.1.5',
    headers: bearer(customerA),
  });
  t.equal(summary.json().data.miners.total, 0, 'nor does the summary');
  const urls = [
    '/api/miners/agent-a/a1',
    '/api/v1/portal/miners',
    '/api/v1/portal/miners?q=10.0.1.5',
    '/api/v1/portal/miners/agent-a/a1',
  ];
  const responses = [];
  for (const url of urls)
    responses.push(await app.inject({ method: 'GET', url, headers: bearer(customerA) }));
  t.equal(responses[0]?.json().data.miner.ip, '');
  t.same(
    responses[1]?.json().data.miners.map((m: { minerId: string }) => m.minerId),
    ['a1'],
  );
  t.same(responses[2]?.json().data.miners, [], 'portal search by address finds nothing');
  responses.forEach((response, i) => {
    t.equal(response.statusCode, 200);
    t.notOk(/10\.0\.\d+\.\d+/.test(response.body), `${urls[i]}: no address in the answer`);
  });
});

testEachDialect('clear rows are sealed at start; a swapped sealed value shows nothing', async (t, db) => {
  const { app, ownerA } = await setup(t, db);
  const rows = await db.selectFrom('miner').select(['id', 'ip', 'ip_enc']).orderBy('id').execute();
  t.same(
    rows.map((r) => r.ip),
    ['', '', '', '', ''],
    'miner.ip is blank everywhere',
  );
  t.notOk(
    rows.some((r) => r.ip_enc === ''),
    'every address sealed',
  );
  const ciphers = await vaultIpCiphers(t, db);
  t.equal(await sealPlaintextIps(db, ciphers), 0, 'a second run has nothing to do');

  // Copy a2's sealed address onto a3: it must not open as a3's (nor show a2's address on a3).
  const a2 = rows.find((r) => r.id === 'a2')?.ip_enc ?? '';
  await db.updateTable('miner').set({ ip_enc: a2 }).where('id', '=', 'a3').execute();
  const listed = await list(app, ownerA, 'limit=10');
  t.same(listed.find((m) => m.id === 'a3')?.ip, '', 'a value copied from another miner reads as no address');
  t.equal(listed.find((m) => m.id === 'a2')?.ip, '10.0.1.50');
});

testEachDialect('sealing at start is a compare-and-swap per row', async (t, db) => {
  const { a } = await seedTenant(db, 'a').then((tenant) => ({ a: tenant }));
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  for (const [id, ip] of [
    ['m1', '10.0.0.1'],
    ['m2', '10.0.0.2'],
  ] as const) {
    await insertMiner(db, { agentId: 'agent-a', id, tenantId: a.tenantId, siteId: a.siteId, ip });
  }
  const real = await vaultIpCiphers(t, db);
  // While the job resolves the key, m2's row changes (the ingest stored a new identity, which blanks ip).
  const racing = new TenantIpCiphers(async (tenantId) => {
    await db.updateTable('miner').set({ ip: '', ip_enc: 'newer' }).where('id', '=', 'm2').execute();
    return real.get(tenantId);
  });
  t.equal(await sealPlaintextIps(db, racing, 1), 1, 'only m1 is sealed by the job');
  const m2 = await db.selectFrom('miner').selectAll().where('id', '=', 'm2').executeTakeFirstOrThrow();
  t.equal(m2.ip_enc, 'newer', "the newer identity is not overwritten by the job's older address");
});

testEachDialect('re-sealing moves addresses to the current key version, page by page', async (t, db) => {
  const { app, a } = await setup(t, db);
  const cipher = await app.vault.fieldCipher(a.tenantId);
  const next = `${cipher.keyVersion + 1}.`;
  // A cipher whose current version is newer than the rows' (as after a rotation); it marks what it sealed.
  const rotated = {
    keyVersion: cipher.keyVersion + 1,
    seal: (plain: string, context: string) => `${next}${cipher.seal(plain, context)}`,
    open: (sealed: string, context: string) => cipher.open(sealed.replace(next, ''), context),
    blindIndex: (value: string) => cipher.blindIndex(value),
  };
  // A value that no longer opens is skipped (left for the vault to count), not retried forever.
  await db.updateTable('miner').set({ ip_enc: '1.broken' }).where('id', '=', 'a3').execute();
  t.equal(await resealMinerIps(db, a.tenantId, rotated, 1), 2, "tenant A's two good rows, one per page");
  t.equal(await resealMinerIps(db, a.tenantId, rotated, 1), 0, 'nothing left');
  const rows = await db.selectFrom('miner').select(['id', 'ip_enc']).orderBy('id').execute();
  t.same(
    rows.map((row) => [row.id, row.ip_enc.startsWith(next)]),
    [
      ['a1', true],
      ['a2', true],
      ['a3', false],
      ['b1', false],
      ['b2', false],
    ],
    'only tenant A, only what opened',
  );
  t.equal(rotated.open(rows[0]?.ip_enc ?? '', 'miner-ip|agent-a|a1'), '10.0.1.5', 'still the same address');
});

testEachDialect(
  'hostile and malformed search terms find nothing by address and never fail',
  async (t, db) => {
    const { app, ownerA, customerA } = await setup(t, db);
    const terms = [
      "10.0.1.5' or '1'='1",
      '10.0.1.5%',
      '10.0.1._',
      '999.0.1.5',
      '10.0.1.5/24',
      '0.0.0.0',
      '::',
      '::ffff:10.0.1.5',
      '10.0.1.🔥',
      '١٠.٠.١.٥',
      'fd00::/65',
    ];
    for (const q of terms) {
      const response = await app.inject({
        method: 'GET',
        url: `/api/miners?q=${encodeURIComponent(q)}`,
        headers: bearer(ownerA),
      });
      t.equal(response.statusCode, 200, JSON.stringify(q));
      t.same(response.json().data.miners, [], `${JSON.stringify(q)}: no miner`);
    }
    const long = await app.inject({
      method: 'GET',
      url: `/api/miners?q=${'1.'.repeat(60)}`,
      headers: bearer(ownerA),
    });
    t.equal(long.statusCode, 400, 'over 100 characters: refused by the schema');
    t.equal(long.json().success, false);
    const nuls = ['/api/miners?q=10.0.1.5%00', '/api/fleet/summary?q=%00', '/api/v1/portal/miners?q=a%00'];
    for (const url of nuls) {
      const token = url.includes('portal') ? customerA : ownerA;
      const nul = await app.inject({ method: 'GET', url, headers: bearer(token) });
      t.equal(nul.statusCode, 400, `${url}: a NUL is refused (PostgreSQL text cannot hold one)`);
      t.match(nul.json(), { success: false, code: 'VALIDATION_FAILED' });
    }
  },
);

testEachDialect('a command filter with an address or subnet targets what the list shows', async (t, db) => {
  const { app, ownerA } = await setup(t, db);
  await db
    .updateTable('miner')
    .set({ capabilities: JSON.stringify(['reboot']) })
    .execute();
  const cases = [
    ['10.0.1.0/24', 2],
    ['10.0.2.5', 1],
    ['10.9.9.9', 0], // tenant B's address
  ] as const;
  for (const [q, targets] of cases) {
    const listed = await found(app, ownerA, q);
    t.equal(listed.length, targets, `the list finds ${targets} for ${q}`);
    const response = await app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(ownerA), 'idempotency-key': `ip-${q}` },
      payload: { type: 'reboot', targets: { filter: { q } }, expiresInSeconds: 600 },
    });
    if (targets === 0) {
      t.equal(response.statusCode >= 400, true, `${q}: no target, refused (${response.statusCode})`);
      continue;
    }
    t.equal(response.statusCode, 201, `${q}: ${response.body.slice(0, 200)}`);
    const rows = await db
      .selectFrom('command_target')
      .select('miner_id')
      .where('command_id', '=', response.json().data.id)
      .execute();
    t.same(rows.map((row) => row.miner_id).sort(), listed, `${q}: the command targets the listed miners`);
  }
});
