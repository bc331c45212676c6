// Tenant isolation over EVERY route of the app (enumerated from the OpenAPI document, so routes of every feature
// are covered as they are added): a user of tenant A naming tenant B's objects — in the path, the query or the
// body — gets exactly the answer a missing object gets, and lists never carry B's rows. Run as A's owner (who
// may call everything) and as A's customer user.
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { Db } from '../db/index.js';
import { testEachDialect } from './databases.js';
import {
  buildAppOver,
  type DocumentedOperation,
  documentedOperations,
  insertAgent,
  insertMiner,
  sampleOf,
} from './fleet.js';
import { accessToken, bearer, seedTenant, type TestTenant } from './identities.js';

const MISSING_UUID = '00000000-0000-7000-8000-00000000dead';

/** The request fields that name an object, and the path collections whose `:id` is that kind of object. */
const FIELD_KINDS: Record<string, Kind> = {
  siteId: 'site',
  customerId: 'customer',
  agentId: 'agent',
  minerId: 'miner',
  userId: 'user',
};
const COLLECTION_KINDS: Record<string, Kind> = {
  sites: 'site',
  customers: 'customer',
  agents: 'agent',
  users: 'user',
};
type Kind = 'site' | 'customer' | 'agent' | 'miner' | 'user';
const KINDS: Kind[] = ['site', 'customer', 'agent', 'miner', 'user'];

type Ids = Record<Kind, string>;

async function seed(db: Db) {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  for (const [tenant, label] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    await insertAgent(db, { id: `agent-${label}`, tenantId: tenant.tenantId, siteId: tenant.siteId });
    await insertMiner(db, {
      agentId: `agent-${label}`,
      id: `m${label}1`,
      tenantId: tenant.tenantId,
      siteId: tenant.siteId,
      customerId: tenant.customerId,
      ip: '10.0.0.5',
      latest: { status: 'ok', hashrateMhs: 1e8, hashrateExpectedMhs: 1e8, powerW: 3000, chipTempsDc: [700] },
    });
  }
  const ids = (tenant: TestTenant, label: string): Ids => ({
    site: tenant.siteId,
    customer: tenant.customerId,
    agent: `agent-${label}`,
    miner: `m${label}1`,
    user: tenant.users.admin.id,
  });
  const missing: Ids = {
    site: MISSING_UUID,
    customer: MISSING_UUID,
    agent: 'agent-x',
    miner: 'mx1',
    user: MISSING_UUID,
  };
  return { a, b, bIds: ids(b, 'b'), missing };
}

/** B's strings that must never appear in an answer to A. */
function markersOf(b: TestTenant, bIds: Ids): string[] {
  return [
    b.tenantId,
    bIds.site,
    bIds.customer,
    bIds.agent,
    ...Object.values(b.users).flatMap((u) => [u.id, u.email]),
    'Site b',
    'Customer b',
  ];
}

/** Path values for each candidate: a param names one kind, or (an unknown kind) each kind in turn. */
function pathVariants(operation: DocumentedOperation, ids: Ids): Record<string, string>[] {
  const segments = operation.url.split('/');
  const kindsOf = (param: string): Kind[] => {
    const direct = FIELD_KINDS[param];
    if (direct) return [direct];
    const collection = segments[segments.indexOf(`:${param}`) - 1] ?? '';
    const known = COLLECTION_KINDS[collection];
    return known ? [known] : KINDS;
  };
  let variants: Record<string, string>[] = [{}];
  for (const param of operation.pathParams) {
    variants = variants.flatMap((v) => kindsOf(param).map((kind) => ({ ...v, [param]: ids[kind] })));
  }
  return variants;
}

function fill(url: string, values: Record<string, string>): string {
  return url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name] ?? 'sample'));
}

/** `value` with every id-named field (at any depth) set to `ids`' object of that kind. */
function withIds(value: unknown, ids: Ids): unknown {
  if (Array.isArray(value)) return value.map((item) => withIds(item, ids));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const kind = FIELD_KINDS[key];
      return [key, kind ? ids[kind] : withIds(item, ids)];
    }),
  );
}

function containsIdField(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsIdField);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, item]) => key in FIELD_KINDS || containsIdField(item));
}

/** What may differ between two answers: nothing but the timestamp. */
function comparable(response: { statusCode: number; body: string }) {
  let body: unknown = response.body;
  try {
    const parsed = JSON.parse(response.body) as Record<string, unknown>;
    delete parsed.timestamp;
    body = parsed;
  } catch {}
  return { status: response.statusCode, body };
}

async function checkOperations(
  t: Test,
  app: FastifyInstance,
  token: string,
  operations: DocumentedOperation[],
  bIds: Ids,
  missing: Ids,
  markers: string[],
) {
  const send = (operation: DocumentedOperation, ids: Ids, pathValues: Record<string, string>) => {
    // Only the id-named query fields are set; the others keep their defaults.
    const query = Object.fromEntries(
      Object.keys(operation.query).flatMap((field) => {
        const kind = FIELD_KINDS[field];
        return kind ? [[field, ids[kind]]] : [];
      }),
    );
    const body = operation.body === undefined ? undefined : withIds(sampleOf(operation.body), ids);
    return app.inject({
      method: operation.method as 'GET',
      url: fill(operation.url, pathValues),
      query,
      headers: bearer(token),
      ...(body === undefined ? {} : { payload: body as object }),
    });
  };
  let compared = 0;
  for (const operation of operations) {
    const name = `${operation.method} ${operation.url}`;
    const namesObjects =
      operation.pathParams.length > 0 ||
      Object.keys(operation.query).some((q) => q in FIELD_KINDS) ||
      containsIdField(sampleOf(operation.body));
    if (namesObjects) {
      const bVariants = pathVariants(operation, bIds);
      const missingVariants = pathVariants(operation, missing);
      for (let i = 0; i < bVariants.length; i++) {
        const theirs = await send(operation, bIds, bVariants[i] ?? {});
        const none = await send(operation, missing, missingVariants[i] ?? {});
        t.not(theirs.statusCode, 500, `${name}: no 500`);
        t.not(theirs.statusCode, 429, `${name}: not rate limited (the comparison would be empty)`);
        t.same(
          comparable(theirs),
          comparable(none),
          `${name} ${JSON.stringify(bVariants[i])}: B's objects answer as missing ones`,
        );
        if (operation.pathParams.length > 0)
          t.ok(theirs.statusCode >= 400, `${name}: B's object is not served (${theirs.statusCode})`);
        compared++;
      }
    }
    if (operation.method === 'GET' && operation.pathParams.length === 0) {
      const listed = await app.inject({ method: 'GET', url: operation.url, headers: bearer(token) });
      for (const marker of markers) {
        t.notOk(listed.body.includes(marker), `${name} does not carry B's ${marker}`);
      }
    }
  }
  return compared;
}

testEachDialect('tenant isolation on every route, for path, query and body ids', async (t, db) => {
  const { a, b, bIds, missing } = await seed(db);
  const app = await buildAppOver(t, db);
  const operations = await documentedOperations(app);
  // Reads first, so a leaking write could not hide a leaking read; deletes last.
  const rank = (method: string) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].indexOf(method);
  operations.sort((x, y) => rank(x.method) - rank(y.method));
  t.ok(operations.length >= 15, `${operations.length} routes enumerated`);
  const markers = markersOf(b, bIds);

  const owner = await accessToken(app, db, a.users.owner);
  const compared = await checkOperations(t, app, owner, operations, bIds, missing, markers);
  t.ok(compared >= 10, `${compared} owner requests compared`);
  const customer = await accessToken(app, db, a.users.customer);
  await checkOperations(t, app, customer, operations, bIds, missing, markers);

  // The checks could fail: A's own objects are served to the same tokens.
  const own = await app.inject({ method: 'GET', url: '/api/miners/agent-a/ma1', headers: bearer(owner) });
  t.equal(own.statusCode, 200, "A's miner is served to A's owner");
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/miners', headers: bearer(customer) })).json().data.miners
      .length,
    1,
  );
  t.equal(
    (await app.inject({ method: 'GET', url: `/api/sites/${a.siteId}`, headers: bearer(owner) })).statusCode,
    200,
    'the owner token still works',
  );

  // And B's rows are as they were.
  t.ok(
    await db.selectFrom('site').select('id').where('id', '=', bIds.site).executeTakeFirst(),
    "B's site kept",
  );
  t.ok(
    await db.selectFrom('customer').select('id').where('id', '=', bIds.customer).executeTakeFirst(),
    "B's customer kept",
  );
  const bMiner = await db
    .selectFrom('miner')
    .select('customer_id')
    .where('agent_id', '=', 'agent-b')
    .executeTakeFirst();
  t.equal(bMiner?.customer_id, b.customerId, "B's miner still assigned to B's customer");
});
