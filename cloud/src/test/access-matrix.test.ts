// The role x route matrix: EVERY registered route (this file lists none by hand, so routes other features add
// are covered as they land) is called anonymously, with an access token of every role, and with an API key of
// every role an API key may have; the answer must follow the route's declared permission.
import t from 'tap';
import { USER_ROLES, type UserRole } from '../db/schema.js';
import { uuidv7 } from '../lib/ids.js';
import { PERMISSIONS } from '../plugins/access.js';
import { buildTestApp } from './helpers.js';
import { accessToken, bearer, insertApiKey, seedTenant } from './identities.js';

const DENIALS = ['AUTH_REQUIRED', 'AUTH_FORBIDDEN'];

/** The error code of a response, if it has a JSON body (HEAD answers have none). */
function codeOf(response: { body: string }): string | undefined {
  try {
    return (JSON.parse(response.body) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

t.test('every route answers every role as its declared permission says', async (t) => {
  const { app, db } = await buildTestApp(t);
  const tenant = await seedTenant(db, 'matrix');
  await app.ready();
  const routes = app.routeAccess.filter((route) => route.access !== undefined);
  const undeclared = app.routeAccess.filter((route) => route.access === undefined);
  t.ok(routes.length >= 10, `${routes.length} routes found`);
  t.ok(
    undeclared.every((route) => route.url.startsWith('/docs')),
    'only the documentation routes declare nothing (the access plugin refuses any other)',
  );

  const apiKeys = {} as Record<UserRole, string>;
  for (const role of USER_ROLES.filter((r) => r !== 'owner')) {
    const key = `hik_matrix_${role}_${'x'.repeat(20)}`;
    await insertApiKey(db, tenant, role, key);
    apiKeys[role] = key;
  }

  for (const route of routes) {
    const access = route.access as keyof typeof PERMISSIONS;
    // Path parameters get ids nobody has: an allowed caller then gets a 404 or a 400, never a denial.
    const url = route.url.replace(/:[A-Za-z_]+/g, () => uuidv7()).replace(/\*$/, 'x');
    const method = route.method as 'GET';
    const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {};
    const call = (headers: Record<string, string>) => app.inject({ method, url, headers, ...withBody });
    const name = `${route.method} ${route.url} (${access})`;

    const anonymous = await call({});
    if (access === 'public')
      t.notOk(
        anonymous.statusCode === 401 || DENIALS.includes(codeOf(anonymous) ?? ''),
        `${name}: anonymous passes`,
      );
    else t.equal(anonymous.statusCode, 401, `${name}: anonymous is 401`);

    const allowed: readonly string[] = PERMISSIONS[access];
    for (const role of USER_ROLES) {
      const identities: [string, Record<string, string>][] = [
        [`${role} token`, bearer(await accessToken(app, db, tenant.users[role]))],
      ];
      if (role !== 'owner')
        identities.push([`${role} API key`, { authorization: `ApiKey ${apiKeys[role]}` }]);
      for (const [who, headers] of identities) {
        const response = await call(headers);
        const code = codeOf(response);
        if (access === 'public' || allowed.includes(role)) {
          t.notOk(
            response.statusCode === 401 || (response.statusCode === 403 && code === 'AUTH_FORBIDDEN'),
            `${name}: ${who} passes (got ${response.statusCode} ${code ?? ''})`,
          );
        } else {
          t.equal(response.statusCode, 403, `${name}: ${who} is 403`);
          if (code !== undefined) t.equal(code, 'AUTH_FORBIDDEN', `${name}: ${who} code`);
        }
      }
    }
  }
});
