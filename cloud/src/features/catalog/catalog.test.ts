// The miner model catalog: seeded from data/miner-models.csv on every start (idempotent), read by every
// logged-in user, written by admins only, per tenant (an override never shows to another tenant); on every
// dialect.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver } from '../../test/fleet.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { modelKey, modelSlug, parseCatalogCsv } from './csv.js';
import { DEFAULT_CATALOG_CSV } from './index.js';
import { listModels, seedShippedCatalog } from './service.js';

const csvText = readFileSync(DEFAULT_CATALOG_CSV, 'utf8');
const shipped = parseCatalogCsv(csvText);

t.test('the CSV parser reads the shipped file and refuses malformed ones with the line', async (t) => {
  t.equal(shipped.length, 41);
  t.match(
    shipped.find((row) => row.model === 'Antminer S19 Pro'),
    {
      vendor: 'Bitmain',
      hashrateTh: 110,
      powerW: 3250,
      efficiencyJTh: 29.55,
      releaseYear: 2020,
      cooling: 'air',
    },
  );
  const header = csvText.split('\n')[0];
  const bad: [string, RegExp][] = [
    ['vendor,model\n', /line 1: header/],
    [`${header}\nBitmain,S9,13.5,1323,98,2016,air\n`, /line 2: expected 8 fields, got 7/],
    [`${header}\nBitmain,S9,-1,1323,98,2016,air,x\n`, /hashrate_th must be a positive number/],
    [`${header}\nBitmain,S9,abc,1323,98,2016,air,x\n`, /hashrate_th must be a positive number/],
    [`${header}\nBitmain,"S9, new",13.5,1323,98,2016,air\n`, /quoted fields/],
    [`${header}\nBitmain,S9,13.5,1323,98,16,air,x\n`, /release_year/],
    [`${header}\n,S9,13.5,1323,98,2016,air,x\n`, /vendor and model are required/],
  ];
  for (const [text, message] of bad)
    t.throws(() => parseCatalogCsv(text), { code: 'CATALOG_CSV_INVALID', message });
  t.equal(modelSlug('Bitmain', 'Antminer S21+ Hydro'), 'bitmain-antminer-s21-plus-hydro');
  t.not(modelKey('Antminer S21+ Hydro'), modelKey('Antminer S21 Hydro'));
  t.equal(modelKey('antminer-s19  PRO'), modelKey('Antminer S19 Pro'));
});

async function shippedCount(db: Db) {
  const row = await db
    .selectFrom('miner_model')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', '')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

testEachDialect(
  'seeding is idempotent and follows the CSV: changed rows update, removed rows go',
  async (t, db) => {
    await seedShippedCatalog(db, shipped, 1000);
    await seedShippedCatalog(db, shipped, 2000);
    t.equal(await shippedCount(db), 41, 'seeding twice leaves one row per model');
    const changed = shipped
      .slice(1)
      .map((row) => (row.model === 'Antminer S19 Pro' ? { ...row, powerW: 3300 } : row));
    await seedShippedCatalog(db, changed, 3000);
    t.equal(await shippedCount(db), 40, 'a model removed from the CSV is removed');
    const models = await listModels(db, 'any-tenant');
    t.equal(models.find((m) => m.id === 'bitmain-antminer-s19-pro')?.powerW, 3300, 'changed figures applied');
    t.notOk(models.some((m) => m.model === shipped[0]?.model));
    await t.rejects(seedShippedCatalog(db, [...shipped, shipped[0] as never], 1), /twice/);
  },
);

async function setup(db: Db, t: Parameters<Parameters<typeof testEachDialect>[1]>[0]) {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  const app = await buildAppOver(t, db);
  const token = async (who: typeof a, role: keyof typeof a.users) =>
    bearer(await accessToken(app, db, who.users[role]));
  return { a, b, app, token };
}

const call = (
  app: FastifyInstance,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: object,
) => app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });

testEachDialect('every logged-in role reads the catalog; the app seeds it at start', async (t, db) => {
  const { a, app, token } = await setup(db, t);
  for (const role of ['owner', 'admin', 'mining_site', 'customer', 'guest'] as const) {
    const list = await call(app, 'GET', '/api/catalog/models', await token(a, role));
    t.equal(list.statusCode, 200, role);
    t.equal(list.json().data.models.length, 41, `${role} sees the 41 shipped models`);
  }
  const one = await call(app, 'GET', '/api/catalog/models/bitmain-antminer-s21', await token(a, 'guest'));
  t.match(one.json().data, {
    model: 'Antminer S21',
    hashrateTh: 200,
    powerW: 3500,
    efficiencyJTh: 17.5,
    origin: 'shipped',
  });
  const missing = await call(app, 'GET', '/api/catalog/models/no-such-model', await token(a, 'guest'));
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'CATALOG_MODEL_NOT_FOUND');
  t.equal((await call(app, 'GET', '/api/catalog/models', {})).statusCode, 401);
});

testEachDialect('admins add, override and delete models for their tenant only; audited', async (t, db) => {
  const { a, b, app, token } = await setup(db, t);
  const adminA = await token(a, 'admin');
  const body = {
    vendor: 'Bitdeer',
    model: 'SealMiner A2',
    hashrateTh: 226,
    powerW: 3730,
    releaseYear: 2024,
    cooling: 'air',
    source: 'spec sheet',
  };
  const created = await call(app, 'POST', '/api/catalog/models', adminA, body);
  t.equal(created.statusCode, 201, created.body);
  t.match(created.json().data, { id: 'bitdeer-sealminer-a2', efficiencyJTh: 16.5, origin: 'tenant' });
  const again = await call(app, 'POST', '/api/catalog/models', adminA, {
    ...body,
    vendor: 'bitdeer',
    model: 'sealminer a2',
  });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'CATALOG_MODEL_EXISTS');
  const shippedName = await call(app, 'POST', '/api/catalog/models', adminA, {
    ...body,
    vendor: 'Other',
    model: 'antminer s21',
  });
  t.equal(shippedName.json().code, 'CATALOG_MODEL_EXISTS', 'a shipped model name is taken too');

  const override = await call(app, 'PUT', '/api/catalog/models/bitmain-antminer-s21', adminA, {
    vendor: 'Bitmain',
    model: 'Antminer S21',
    hashrateTh: 195,
    powerW: 3550,
    cooling: 'air',
  });
  t.equal(override.statusCode, 200, override.body);
  t.match(override.json().data, { id: 'bitmain-antminer-s21', hashrateTh: 195, origin: 'tenant' });

  const listOf = async (headers: Record<string, string>) =>
    (await call(app, 'GET', '/api/catalog/models', headers)).json().data.models as {
      id: string;
      hashrateTh: number;
      origin: string;
    }[];
  const seenByA = await listOf(await token(a, 'customer'));
  t.equal(seenByA.length, 42, "A's catalog: 41 shipped (one overridden) and its own");
  t.equal(
    seenByA.find((m) => m.id === 'bitmain-antminer-s21')?.hashrateTh,
    195,
    "A's customer sees A's override",
  );
  const seenByB = await listOf(await token(b, 'admin'));
  t.equal(seenByB.length, 41, "B does not see A's model");
  t.equal(
    seenByB.find((m) => m.id === 'bitmain-antminer-s21')?.hashrateTh,
    200,
    'B keeps the shipped figures',
  );
  const bReads = await call(app, 'GET', '/api/catalog/models/bitdeer-sealminer-a2', await token(b, 'admin'));
  t.equal(bReads.statusCode, 404, "A's model is missing for B");
  const bDeletes = await call(
    app,
    'DELETE',
    '/api/catalog/models/bitdeer-sealminer-a2',
    await token(b, 'admin'),
  );
  t.equal(bDeletes.statusCode, 404, "B cannot delete A's model");
  const bUpdates = await call(
    app,
    'PUT',
    '/api/catalog/models/bitdeer-sealminer-a2',
    await token(b, 'admin'),
    body,
  );
  t.equal(bUpdates.statusCode, 404, "B cannot update A's model");

  const renameClash = await call(app, 'PUT', '/api/catalog/models/bitdeer-sealminer-a2', adminA, {
    ...body,
    model: 'Antminer S19',
  });
  t.equal(renameClash.json().code, 'CATALOG_MODEL_EXISTS', 'an update cannot take another model name');

  const revert = await call(app, 'DELETE', '/api/catalog/models/bitmain-antminer-s21', adminA);
  t.same(revert.json().data, { id: 'bitmain-antminer-s21', deleted: true });
  t.equal(
    (await listOf(adminA)).find((m) => m.id === 'bitmain-antminer-s21')?.hashrateTh,
    200,
    'deleting the override restores the shipped figures (cache dropped)',
  );
  const shippedDelete = await call(app, 'DELETE', '/api/catalog/models/bitmain-antminer-s21', adminA);
  t.equal(shippedDelete.statusCode, 409);
  t.equal(shippedDelete.json().code, 'CATALOG_MODEL_SHIPPED');

  for (const role of ['mining_site', 'customer', 'guest'] as const) {
    const denied = await call(app, 'POST', '/api/catalog/models', await token(a, role), {
      ...body,
      model: `x ${role}`,
    });
    t.equal(denied.statusCode, 403, `${role} may not write the catalog`);
  }
  await app.auditWritten();
  const audited = await db
    .selectFrom('audit_log')
    .select(['method', 'route', 'target_id', 'outcome'])
    .where('tenant_id', '=', a.tenantId)
    .where('route', 'like', '/api/catalog/%')
    .orderBy('seq')
    .execute();
  t.same(
    audited.filter((row) => row.outcome === 'success').map((row) => [row.method, row.route, row.target_id]),
    [
      ['POST', '/api/catalog/models', 'bitdeer-sealminer-a2'],
      ['PUT', '/api/catalog/models/:id', 'bitmain-antminer-s21'],
      ['DELETE', '/api/catalog/models/:id', 'bitmain-antminer-s21'],
    ],
    'admin writes are in the audit log',
  );
});

testEachDialect('bad model bodies are refused with 400', async (t, db) => {
  const { a, app, token } = await setup(db, t);
  const adminA = await token(a, 'admin');
  const good = { vendor: 'V', model: 'M', hashrateTh: 100, powerW: 3000, cooling: 'air' };
  const bad: [string, object][] = [
    ['zero hashrate', { ...good, hashrateTh: 0 }],
    ['negative power', { ...good, powerW: -1 }],
    ['hashrate as a string', { ...good, hashrateTh: '100' }],
    ['unknown cooling', { ...good, cooling: 'liquid nitrogen' }],
    ['unknown field', { ...good, price: 1 }],
    ['blank model', { ...good, model: '   ' }],
    ['missing power', { vendor: 'V', model: 'M', hashrateTh: 1, cooling: 'air' }],
    ['absurd hashrate', { ...good, hashrateTh: 1e9 }],
    ['over-long vendor', { ...good, vendor: 'v'.repeat(61) }],
  ];
  for (const [name, payload] of bad) {
    const response = await call(app, 'POST', '/api/catalog/models', adminA, payload);
    t.equal(response.statusCode, 400, name);
    t.equal(response.json().success, false, name);
  }
});
