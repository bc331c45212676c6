// Bad input on EVERY route of the app (enumerated from the OpenAPI document): wrong types, extra fields, oversized
// bodies, deep JSON and prototype-pollution keys in the body, the query and the path all get a 4xx error envelope,
// never a 500, and pollute nothing.
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Test } from 'tap';
import { BODY_LIMIT_BYTES } from '../app.js';
import { COMMAND_BODY_LIMIT } from '../features/commands/index.js';
import { testEachDialect } from './databases.js';
import {
  buildAppOver,
  type DocumentedOperation,
  documentedOperations,
  type JsonSchema,
  sampleOf,
} from './fleet.js';
import { accessToken, bearer, seedTenant } from './identities.js';

/** Routes that take a whole command body, up to COMMAND_BODY_LIMIT. */
const COMMAND_BODY_URLS = new Set(['/api/commands', '/api/commands/preview']);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A value of another JSON type than `schema` allows. */
function wrongTypeFor(schema: JsonSchema | undefined): unknown {
  const types = schema === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('string') || schema?.anyOf !== undefined) return { not: 'a string' };
  if (types.includes('integer') || types.includes('number')) return 'not a number';
  if (types.includes('boolean')) return 'yes';
  if (types.includes('array')) return { not: 'an array' };
  return 'not an object';
}

/** A query value that fails `schema`. */
function badQueryValue(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return 'not-one-of-them';
  if (schema.type === 'integer' || schema.type === 'number') return 'abc';
  if (schema.format === 'date-time') return 'yesterday';
  if (typeof schema.maxLength === 'number') return 'x'.repeat(schema.maxLength + 1);
  return '';
}

function deepArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}
function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

interface Case {
  name: string;
  request: InjectOptions;
  status?: number;
}

function casesFor(operation: DocumentedOperation): Case[] {
  const pathValues = Object.fromEntries(operation.pathParams.map((p) => [p, 'sample']));
  const url = operation.url.replace(/:(\w+)/g, (_, name: string) => pathValues[name] ?? 'sample');
  const method = operation.method as 'POST';
  const cases: Case[] = [];
  const json = (name: string, payload: string, status?: number): Case => ({
    name,
    request: { method, url, payload, headers: { 'content-type': 'application/json' } },
    ...(status === undefined ? {} : { status }),
  });
  if (operation.body !== undefined) {
    const sample = sampleOf(operation.body) as Record<string, unknown>;
    cases.push(json('an array for the body', '[]'));
    cases.push(json('a string for the body', '"text"'));
    const properties = (operation.body.properties ?? {}) as Record<string, JsonSchema>;
    for (const [field, schema] of Object.entries(properties)) {
      cases.push(
        json(`wrong type for ${field}`, JSON.stringify({ ...sample, [field]: wrongTypeFor(schema) })),
      );
    }
    cases.push(json('an extra field', JSON.stringify({ ...sample, unexpectedField: 1 })));
    cases.push(
      json(
        'a body over the limit',
        // POST /api/commands (and its preview) takes up to 10,000 targets, so its own larger limit.
        JSON.stringify({
          ...sample,
          pad: 'x'.repeat(
            (COMMAND_BODY_URLS.has(operation.url) ? COMMAND_BODY_LIMIT : BODY_LIMIT_BYTES) + 1024,
          ),
        }),
        413,
      ),
    );
    cases.push(json('deeply nested arrays', deepArray(5000)));
    cases.push(json('deeply nested objects', deepObject(5000)));
    cases.push(json('a __proto__ key', `{"__proto__":{"polluted":true},${JSON.stringify(sample).slice(1)}`));
    cases.push(
      json(
        'a nested __proto__ key',
        JSON.stringify({ ...sample, x: 1 }).replace('"x":1', '"x":{"__proto__":{"polluted":true}}'),
      ),
    );
    cases.push(
      json(
        'constructor.prototype keys',
        `{"constructor":{"prototype":{"polluted":true}},${JSON.stringify(sample).slice(1)}`,
      ),
    );
    cases.push({
      name: 'not JSON',
      request: {
        method,
        url,
        payload: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      status: 415,
    });
  }
  const queryFields = Object.entries(operation.query);
  if (queryFields.length > 0) {
    cases.push({ name: 'an extra query field', request: { method, url, query: { unexpectedField: '1' } } });
    cases.push({
      name: 'a __proto__ query field',
      request: { method, url: `${url}?__proto__=1&constructor=2` },
    });
    for (const [field, schema] of queryFields) {
      const value = badQueryValue(schema);
      if (value === '' && schema.minLength === undefined) continue;
      cases.push({
        name: `bad query ${field}=${value.slice(0, 20)}`,
        request: { method, url, query: { [field]: value } },
      });
    }
  }
  for (const param of operation.pathParams) {
    const long = operation.url.replace(/:(\w+)/g, (_, name: string) =>
      name === param ? 'x'.repeat(2000) : 'sample',
    );
    cases.push({ name: `a 2000-character ${param}`, request: { method, url: long } });
    const broken = operation.url.replace(/:(\w+)/g, (_, name: string) =>
      name === param ? '%E0%A4%A' : 'sample',
    );
    cases.push({ name: `a malformed percent-encoding in ${param}`, request: { method, url: broken } });
  }
  return cases;
}

async function expectRejected(
  t: Test,
  app: FastifyInstance,
  token: string,
  operation: DocumentedOperation,
  item: Case,
) {
  const response = await app.inject({
    ...item.request,
    headers: { ...bearer(token), ...(item.request.headers ?? {}) },
  });
  const name = `${operation.method} ${operation.url}: ${item.name}`;
  if (item.status === undefined) {
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${name} → ${response.statusCode}`);
  } else {
    t.equal(response.statusCode, item.status, name);
  }
  let body: Record<string, unknown> = {};
  try {
    body = response.json();
  } catch {}
  t.match(
    body,
    { success: false, code: /^[A-Z]+(_[A-Z0-9]+)+$/, error: String, timestamp: ISO },
    `${name}: error envelope`,
  );
}

testEachDialect('bad input on every route gets a 4xx error envelope, never a 500', async (t, db) => {
  const a = await seedTenant(db, 'a');
  const app = await buildAppOver(t, db);
  const operations = await documentedOperations(app);
  let total = 0;
  for (const operation of operations) {
    // A fresh session each time, so no route reached by mistake (a logout) could turn later checks into 401s.
    // The owner reaches every route but the client portal's, which is for a hosting client alone.
    const token = await accessToken(
      app,
      db,
      operation.access === 'portal' ? a.users.customer : a.users.owner,
    );
    for (const item of casesFor(operation)) {
      await expectRejected(t, app, token, operation, item);
      total++;
    }
  }
  t.ok(total > 100, `${total} bad requests over ${operations.length} routes`);
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  const token = await accessToken(app, db, a.users.owner);
  const ok = await app.inject({ method: 'GET', url: '/api/sites', headers: bearer(token) });
  t.equal(ok.statusCode, 200, 'and the app still serves good requests');
});
