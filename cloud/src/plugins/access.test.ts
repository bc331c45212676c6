import Fastify from 'fastify';
import t from 'tap';
import { installErrorHandling } from '../http/error-handler.js';
import accessPlugin, { PERMISSIONS, type Principal } from './access.js';
import { authRequired } from './jwt.js';

/** An app whose `identify` trusts an x-role header, so the matrix is checked without tokens. */
async function appWithRoleHeader() {
  const app = Fastify();
  installErrorHandling(app);
  app.decorate('identify', async (request) => {
    const role = request.headers['x-role'];
    if (typeof role !== 'string') throw authRequired();
    return { userId: 'u', tenantId: 't', role, customerId: role === 'customer' ? 'c' : null } as Principal;
  });
  await app.register(accessPlugin);
  return app;
}

t.test('a route without config.access cannot be registered', async (t) => {
  const app = await appWithRoleHeader();
  t.throws(
    () => app.get('/open-by-accident', async () => 'x'),
    /GET \/open-by-accident declares no config\.access/,
  );
});

t.test('a route naming an unknown permission cannot be registered', async (t) => {
  const app = await appWithRoleHeader();
  t.throws(
    // @ts-expect-error: the type already forbids it; the runtime check covers plain JS plugins.
    () => app.get('/typo', { config: { access: 'admins' } }, async () => 'x'),
    /unknown permission: admins/,
  );
});

t.test('each permission lets exactly its roles through', async (t) => {
  const app = await appWithRoleHeader();
  for (const permission of Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]) {
    app.get(`/${permission}`, { config: { access: permission } }, async (request) => ({
      role: request.principal?.role ?? null,
    }));
  }
  await app.ready();
  for (const [permission, allowed] of Object.entries(PERMISSIONS)) {
    for (const role of PERMISSIONS.public) {
      const response = await app.inject({
        method: 'GET',
        url: `/${permission}`,
        headers: { 'x-role': role },
      });
      const expected = (allowed as readonly string[]).includes(role) ? 200 : 403;
      t.equal(response.statusCode, expected, `${role} on ${permission}`);
      if (expected === 403) t.equal(response.json().code, 'AUTH_FORBIDDEN');
      if (expected === 200 && permission !== 'public')
        t.equal(response.json().role, role, 'principal is set');
    }
  }
  t.equal((await app.inject({ method: 'GET', url: '/public' })).statusCode, 200, 'public needs no identity');
  t.equal((await app.inject({ method: 'GET', url: '/fleet' })).statusCode, 401, 'others need one');
});

t.test('the matrix is the one of the original design', async (t) => {
  t.same(PERMISSIONS.calculator, ['owner', 'admin', 'mining_site', 'customer', 'guest']);
  t.same(PERMISSIONS.hosting, ['owner', 'admin', 'mining_site']);
  t.same(PERMISSIONS.admin, ['owner', 'admin']);
  t.notOk((PERMISSIONS.fleet as readonly string[]).includes('guest'), 'a guest reads no fleet data');
});
