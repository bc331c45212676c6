// Customers CRUD on every dialect: hosting staff only, unique names per tenant, deletes refused while miners or
// users belong to it, and another tenant's customer answering exactly like a missing one.
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

testEachDialect('customers: CRUD, roles, unique names, refused deletes, tenant isolation', async (t, db) => {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  const app = await buildAppOver(t, db);
  const staff = await accessToken(app, db, a.users.mining_site);
  const customer = await accessToken(app, db, a.users.customer);
  const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  const created = await call(staff, 'POST', '/api/customers', {
    name: 'Hashco',
    contactEmail: 'Ops@Hashco.example',
  });
  t.equal(created.statusCode, 201, created.body);
  const hashco = created.json().data;
  t.match(hashco, { name: 'Hashco', contactEmail: 'ops@hashco.example', minerCount: 0 });
  t.equal(
    (await call(staff, 'POST', '/api/customers', { name: 'Hashco' })).json().code,
    'CUSTOMERS_NAME_TAKEN',
  );
  t.equal(
    (await call(staff, 'POST', '/api/customers', { name: 'Bad', contactEmail: 'not-an-email' })).json().code,
    'VALIDATION_FAILED',
  );
  const names = (await call(staff, 'GET', '/api/customers'))
    .json()
    .data.customers.map((c: { name: string }) => c.name);
  t.same(names, ['Customer a', 'Hashco']);
  t.equal((await call(customer, 'GET', '/api/customers')).statusCode, 403, 'customers do not list customers');

  const cleared = await call(staff, 'PATCH', `/api/customers/${hashco.id}`, { contactEmail: '' });
  t.match(cleared.json().data, { contactEmail: '' });

  for (const [method, payload] of [['GET'], ['PATCH', { name: 'Z' }], ['DELETE']] as const) {
    const foreign = await call(staff, method, `/api/customers/${b.customerId}`, payload);
    const missing = await call(staff, method, '/api/customers/00000000-0000-7000-8000-00000000dead', payload);
    t.equal(foreign.statusCode, 404, `${method} of B's customer`);
    t.same({ ...foreign.json(), timestamp: 0 }, { ...missing.json(), timestamp: 0 }, 'same as a missing one');
  }

  // Customer a has a user account: refused. Hashco gets a miner: refused until it is unassigned.
  t.equal((await call(staff, 'DELETE', `/api/customers/${a.customerId}`)).json().code, 'CUSTOMERS_IN_USE');
  await insertAgent(db, { id: 'agent-1', tenantId: a.tenantId, siteId: a.siteId });
  await insertMiner(db, {
    agentId: 'agent-1',
    id: 'm1',
    tenantId: a.tenantId,
    siteId: a.siteId,
    customerId: hashco.id,
  });
  t.equal((await call(staff, 'GET', `/api/customers/${hashco.id}`)).json().data.minerCount, 1);
  t.equal((await call(staff, 'DELETE', `/api/customers/${hashco.id}`)).statusCode, 409);
  await db.updateTable('miner').set({ customer_id: null }).execute();
  t.same((await call(staff, 'DELETE', `/api/customers/${hashco.id}`)).json().data, { id: hashco.id });
});
