// The audit log: the chain on both dialects (and tampering found), the generic hook, the tenant-scoped API and
// the verify and create-tenant commands.
import { tempDir } from '@hashinsight/testkit';
import { sql } from 'kysely';
import t from 'tap';
import { migrateToLatest, openDatabase } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver } from '../../test/fleet.js';
import { buildTestApp, OWNER_PASSWORD } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant, USER_PASSWORD } from '../../test/identities.js';
import { createTenantCommand } from '../auth/index.js';
import { auditVerifyCommand } from './cli.js';
import { appendAuditRow } from './repository.js';
import { verifyAuditChain } from './service.js';

const entry = (n: number) => ({
  at: 1_800_000_000_000 + n,
  tenant_id: 't1',
  actor_kind: 'user' as const,
  actor_id: 'u1',
  email: null,
  method: 'POST',
  route: `/api/things/${n}`,
  target_id: `thing-${n}`,
  status_code: 201,
  outcome: 'success' as const,
  request_id: `req-${n}`,
  ip: '127.0.0.1',
});

testEachDialect('the chain verifies; a changed or removed row is named', async (t, db) => {
  for (let n = 1; n <= 5; n += 1) await appendAuditRow(db, entry(n));
  t.match(await verifyAuditChain(db), { intact: true, rows: 5, lastHash: /^[0-9a-f]{64}$/ });

  await db.updateTable('audit_log').set({ route: '/api/other' }).where('seq', '=', 3).execute();
  t.match(await verifyAuditChain(db), { intact: false, brokenSeq: 3, rows: 2, reason: /changed/ });
  await db.updateTable('audit_log').set({ route: '/api/things/3' }).where('seq', '=', 3).execute();
  t.match(await verifyAuditChain(db), { intact: true, rows: 5 }, 'restored');

  // Re-hashing the changed row is not enough: the next row still links to the old hash.
  await db.updateTable('audit_log').set({ status_code: 500 }).where('seq', '=', 2).execute();
  const row = await db.selectFrom('audit_log').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
  const { chainHash } = await import('./chain.js');
  const { prev_hash, hash: _old, ...fields } = row;
  await db
    .updateTable('audit_log')
    .set({ hash: chainHash(prev_hash, { ...fields, seq: 2, at: Number(fields.at) }) })
    .where('seq', '=', 2)
    .execute();
  t.match(await verifyAuditChain(db), { intact: false, brokenSeq: 3, reason: /prev_hash/ });

  await db.deleteFrom('audit_log').where('seq', '=', 2).execute();
  t.match(await verifyAuditChain(db), { intact: false, brokenSeq: 3, reason: /missing/ });
});

testEachDialect('concurrent appends keep one unbroken chain', async (t, db) => {
  await Promise.all(Array.from({ length: 40 }, (_, n) => appendAuditRow(db, entry(n))));
  t.match(await verifyAuditChain(db), { intact: true, rows: 40 });
});

testEachDialect('a success is answered only after its audit row is committed', async (t, db) => {
  const app = await buildAppOver(t, db);
  const a = await seedTenant(db, 'a');
  const admin = bearer(await accessToken(app, db, a.users.admin));
  const rowsOf = (route: string) =>
    db.selectFrom('audit_log').selectAll().where('route', '=', route).orderBy('seq').execute();

  const created = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: admin,
    payload: { email: 'now@example.com', role: 'guest', password: 'long enough password' },
  });
  t.equal(created.statusCode, 201);
  const id = created.json().data.id as string;
  // No auditWritten(), no polling: the row is there the moment the answer is.
  t.match(
    (await rowsOf('/api/users')).map((r) => [r.method, r.target_id, r.outcome, r.status_code]),
    [['POST', id, 'success', 201]],
  );
  await app.inject({
    method: 'PATCH',
    url: `/api/users/${id}`,
    headers: admin,
    payload: { role: 'mining_site' },
  });
  t.equal((await rowsOf('/api/users/:id')).length, 1, 'the PATCH row too');
  t.match(await verifyAuditChain(db), { intact: true });

  // The audit table unusable: the change is made, but the client is told the call failed, and why.
  await sql`alter table audit_log rename to audit_log_away`.execute(db);
  const unaudited = await app.inject({
    method: 'PATCH',
    url: `/api/users/${id}`,
    headers: admin,
    payload: { role: 'guest' },
  });
  t.equal(unaudited.statusCode, 500);
  t.match(unaudited.json(), { success: false, code: 'AUDIT_WRITE_FAILED', error: /could not be audited/ });
  const user = await db.selectFrom('user').select('role').where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(user.role, 'guest', 'the change itself was committed before the audit write failed');
  await sql`alter table audit_log_away rename to audit_log`.execute(db);
});

t.test('every successful state change and every login attempt is audited; reads are not', async (t) => {
  const { app, db } = await buildTestApp(t);
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  const adminA = bearer(await accessToken(app, db, a.users.admin));
  const adminB = bearer(await accessToken(app, db, b.users.admin));

  await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: a.users.guest.email, password: 'wrong password' },
  });
  await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: 'nobody@example.com', password: 'whatever' },
  });
  await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: a.users.guest.email, password: USER_PASSWORD },
  });
  const created = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: adminA,
    payload: { email: 'new@example.com', role: 'guest', password: 'long enough password' },
  });
  const newId = created.json().data.id as string;
  await app.inject({
    method: 'PATCH',
    url: `/api/users/${newId}`,
    headers: adminA,
    payload: { role: 'mining_site' },
  });
  await app.inject({
    method: 'PATCH',
    url: `/api/users/${newId}`,
    headers: adminA,
    payload: { role: 'owner' },
  }); // 400
  await app.inject({ method: 'GET', url: '/api/users', headers: adminA });
  await app.auditWritten();

  const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
  t.match(
    rows.map((r) => [r.method, r.route, r.outcome, r.status_code, r.actor_kind, r.email, r.tenant_id]),
    [
      ['POST', '/api/auth/login', 'failure', 401, 'anonymous', a.users.guest.email, a.tenantId],
      ['POST', '/api/auth/login', 'failure', 401, 'anonymous', 'nobody@example.com', null],
      ['POST', '/api/auth/login', 'success', 200, 'user', a.users.guest.email, a.tenantId],
      ['POST', '/api/users', 'success', 201, 'user', null, a.tenantId],
      ['PATCH', '/api/users/:id', 'success', 200, 'user', null, a.tenantId],
    ],
  );
  t.equal(rows.length, 5, 'the failed PATCH and the GET left no row');
  t.equal(rows[3]?.target_id, newId, 'a create names what it created');
  t.equal(rows[4]?.target_id, newId);
  t.equal(rows[3]?.actor_id, a.users.admin.id);
  const text = JSON.stringify(rows);
  t.notMatch(text, 'wrong password');
  t.notMatch(text, USER_PASSWORD);
  t.notMatch(text, OWNER_PASSWORD);
  t.notMatch(text, 'long enough password');
  t.match(await verifyAuditChain(db), { intact: true, rows: 5 });

  const listA = (await app.inject({ method: 'GET', url: '/api/audit?limit=2', headers: adminA })).json().data;
  t.same(
    listA.entries.map((e: { seq: number }) => e.seq),
    [5, 4],
    'newest first',
  );
  const next = (
    await app.inject({ method: 'GET', url: `/api/audit?limit=2&cursor=${listA.nextCursor}`, headers: adminA })
  ).json().data;
  t.same(
    next.entries.map((e: { seq: number }) => e.seq),
    [3, 1],
    'the unknown-email attempt belongs to no tenant',
  );
  t.equal(next.nextCursor, null);
  const listB = (await app.inject({ method: 'GET', url: '/api/audit', headers: adminB })).json().data;
  t.same(listB.entries, [], 'tenant B sees none of A');
  const one = await app.inject({ method: 'GET', url: '/api/audit/4', headers: adminA });
  t.match(one.json().data, { seq: 4, route: '/api/users', targetId: newId });
  const other = await app.inject({ method: 'GET', url: '/api/audit/4', headers: adminB });
  const missing = await app.inject({ method: 'GET', url: '/api/audit/999', headers: adminB });
  t.equal(other.statusCode, 404);
  t.same(
    [other.json().code, other.json().error],
    [missing.json().code, missing.json().error],
    'same 404 as missing',
  );
});

t.test('audit-verify and create-tenant commands', async (t) => {
  const dataDir = tempDir(t);
  const env = { HASHINSIGHT_DATA_DIR: dataDir };
  const lines: string[] = [];
  const print = (line: string) => void lines.push(line);

  t.equal(
    await createTenantCommand(
      ['--name', 'Second Hosting', '--owner-email', 'Boss@Second.example'],
      env,
      print,
    ),
    0,
  );
  const password = /password: (\S+)/.exec(lines.join('\n'))?.[1];
  t.match(password, /^[A-Za-z0-9_-]{24}$/, 'the generated password is printed once');
  t.equal(
    await createTenantCommand(['--name', 'Second Hosting', '--owner-email', 'x@y.example'], env, print),
    1,
    'name taken',
  );
  t.equal(await createTenantCommand(['--name', 'X'], env, print), 2, 'usage');
  t.equal(await createTenantCommand(['--name', 'X', '--owner-email', 'not-an-email'], env, print), 2);

  const db = openDatabase({ dataDir });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const owner = await db.selectFrom('user').selectAll().executeTakeFirstOrThrow();
  t.match(owner, { email: 'boss@second.example', role: 'owner' });
  for (let n = 1; n <= 3; n += 1) await appendAuditRow(db, entry(n));

  lines.length = 0;
  t.equal(await auditVerifyCommand([], env, print), 0);
  t.match(lines[0], /^audit log intact: 3 rows, latest hash [0-9a-f]{64}$/);
  await sql`update audit_log set actor_id = 'someone else' where seq = 2`.execute(db);
  lines.length = 0;
  t.equal(await auditVerifyCommand([], env, print), 1, 'exits non-zero');
  t.match(lines[0], /^audit log BROKEN at seq 2: /, 'naming the first broken row');
  t.equal(await auditVerifyCommand(['extra'], env, print), 2);
});
