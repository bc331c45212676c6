// Sites CRUD on every dialect: who may read and write, unique names per tenant, deletes refused while in use,
// and another tenant's site answering exactly like a missing one.
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

testEachDialect('sites: CRUD, roles, unique names, refused deletes, tenant isolation', async (t, db) => {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  const app = await buildAppOver(t, db);
  const admin = await accessToken(app, db, a.users.admin);
  const staff = await accessToken(app, db, a.users.mining_site);
  const customer = await accessToken(app, db, a.users.customer);
  const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  const created = await call(admin, 'POST', '/api/sites', { name: '  North hall ', timezone: 'Europe/Oslo' });
  t.equal(created.statusCode, 201, created.body);
  const site = created.json().data;
  t.match(site, { name: 'North hall', location: '', timezone: 'Europe/Oslo', agentCount: 0, minerCount: 0 });

  t.equal((await call(admin, 'POST', '/api/sites', { name: 'North hall' })).json().code, 'SITES_NAME_TAKEN');
  const sameNameInB = await call(await accessToken(app, db, b.users.admin), 'POST', '/api/sites', {
    name: 'North hall',
  });
  t.equal(sameNameInB.statusCode, 201, 'names are unique per tenant only');
  t.equal(
    (await call(admin, 'POST', '/api/sites', { name: 'X', timezone: 'Mars/Olympus' })).json().code,
    'SITES_TIMEZONE_INVALID',
  );

  const listed = (await call(staff, 'GET', '/api/sites'))
    .json()
    .data.sites.map((s: { name: string }) => s.name);
  t.same(listed, ['North hall', 'Site a'], 'mining_site staff read; only their tenant, by name');
  t.equal((await call(staff, 'POST', '/api/sites', { name: 'Y' })).statusCode, 403, 'but do not write');
  t.equal((await call(customer, 'GET', '/api/sites')).statusCode, 403, 'customers do not see sites');

  const renamed = await call(admin, 'PATCH', `/api/sites/${site.id}`, { location: 'Tromsø' });
  t.match(renamed.json().data, { name: 'North hall', location: 'Tromsø' });
  t.equal(
    (await call(admin, 'PATCH', `/api/sites/${site.id}`, { name: 'Site a' })).json().code,
    'SITES_NAME_TAKEN',
  );

  for (const [method, payload] of [['GET'], ['PATCH', { name: 'Z' }], ['DELETE']] as const) {
    const foreign = await call(admin, method, `/api/sites/${b.siteId}`, payload);
    const missing = await call(admin, method, '/api/sites/00000000-0000-7000-8000-00000000dead', payload);
    t.equal(foreign.statusCode, 404, `${method} of B's site`);
    t.same({ ...foreign.json(), timestamp: 0 }, { ...missing.json(), timestamp: 0 }, 'same as a missing one');
  }

  await insertAgent(db, { id: 'agent-1', tenantId: a.tenantId, siteId: site.id });
  t.equal((await call(admin, 'GET', `/api/sites/${site.id}`)).json().data.agentCount, 1);
  const refused = await call(admin, 'DELETE', `/api/sites/${site.id}`);
  t.equal(refused.statusCode, 409);
  t.equal(refused.json().code, 'SITES_IN_USE');
  await db.deleteFrom('agent').where('id', '=', 'agent-1').execute();
  const deleted = await call(admin, 'DELETE', `/api/sites/${site.id}`);
  t.same(deleted.json().data, { id: site.id });
  t.equal((await call(admin, 'GET', `/api/sites/${site.id}`)).statusCode, 404);
});
