// Enrollment and the agents API over HTTP (app.inject) on every dialect, with the real embedded broker listening
// so credentials are proven by connecting with them.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { agentPresenceCodec, agentTopic, telemetryBatchCodec } from '@hashinsight/protocol';
import { waitFor } from '@hashinsight/testkit';
import {
  exportPrivateKey,
  generateKeyPair,
  signCommand,
  type VerifyKey,
  verifyCommand,
} from '@hashinsight/vault';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../app.js';
import type { Db, UserRole } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { captureLogs, closed, connectAgent, JWT_SECRET, sample, tryConnect } from '../../test/helpers.js';
import { hashPassword } from '../auth/password.js';
import { verifyAgentCredentials } from './index.js';

const PASSWORD = 'a password for every test user';

const rawKey = (kind: 'ed25519' | 'x25519') =>
  Buffer.from(
    generateKeyPairSync(kind as 'ed25519').publicKey.export({ format: 'jwk' }).x ?? '',
    'base64url',
  );
const publicKeys = () => ({
  signing: rawKey('ed25519').toString('base64'),
  box: rawKey('x25519').toString('base64'),
});

interface World {
  app: FastifyInstance;
  db: Db;
  mqttPort: number;
  clock: { now: number };
  tenantA: { tenantId: string; siteId: string; otherSiteId: string };
  tenantB: { tenantId: string; siteId: string };
  /** Bearer headers per role of tenant A, and an admin of tenant B. */
  as: Record<UserRole | 'adminB', { authorization: string }>;
}

async function addTenant(db: Db, name: string, sites: string[]) {
  const tenantId = uuidv7();
  await db.insertInto('tenant').values({ id: tenantId, name, created_at: Date.now() }).execute();
  const siteIds: string[] = [];
  for (const site of sites) {
    const id = uuidv7();
    siteIds.push(id);
    await db
      .insertInto('site')
      .values({ id, tenant_id: tenantId, name: site, location: '', timezone: 'UTC', created_at: Date.now() })
      .execute();
  }
  return { tenantId, siteIds };
}

async function world(t: Test, db: Db): Promise<World> {
  const logs = captureLogs();
  const clock = { now: Date.now() };
  const broker = await createEmbeddedBroker(logs.logger, {
    verifyAgent: (agentId, password) => verifyAgentCredentials(db, agentId, password),
  });
  let mqttPort = 0;
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    now: () => clock.now,
    agentBrokerUrl: () => `mqtt://127.0.0.1:${mqttPort}`,
  });
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  await app.ready();
  mqttPort = await broker.listen('127.0.0.1', 0);

  const a = await addTenant(db, 'Tenant A', ['A north', 'A south']);
  const b = await addTenant(db, 'Tenant B', ['B only']);
  const customerId = uuidv7();
  await db
    .insertInto('customer')
    .values({
      id: customerId,
      tenant_id: a.tenantId,
      name: 'Client',
      contact_email: '',
      created_at: Date.now(),
    })
    .execute();
  const passwordHash = await hashPassword(PASSWORD);
  const users: [UserRole | 'adminB', string, UserRole][] = [
    ['owner', a.tenantId, 'owner'],
    ['admin', a.tenantId, 'admin'],
    ['mining_site', a.tenantId, 'mining_site'],
    ['customer', a.tenantId, 'customer'],
    ['guest', a.tenantId, 'guest'],
    ['adminB', b.tenantId, 'admin'],
  ];
  const as = {} as World['as'];
  for (const [key, tenantId, role] of users) {
    const email = `${key.toLowerCase()}@agents.test`;
    await db
      .insertInto('user')
      .values({
        id: uuidv7(),
        email,
        password_hash: passwordHash,
        role,
        created_at: Date.now(),
        tenant_id: tenantId,
        customer_id: role === 'customer' ? customerId : null,
      })
      .execute();
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password: PASSWORD },
    });
    t.equal(login.statusCode, 200, `${key} logs in`);
    as[key] = {
      authorization: `Bearer ${(login.json() as { data: { accessToken: string } }).data.accessToken}`,
    };
  }
  return {
    app,
    db,
    mqttPort,
    clock,
    tenantA: { tenantId: a.tenantId, siteId: a.siteIds[0] ?? '', otherSiteId: a.siteIds[1] ?? '' },
    tenantB: { tenantId: b.tenantId, siteId: b.siteIds[0] ?? '' },
    as,
  };
}

async function createToken(w: World, siteId = w.tenantA.siteId, payload: unknown = {}) {
  return w.app.inject({
    method: 'POST',
    url: `/api/sites/${siteId}/enrollment-tokens`,
    headers: w.as.admin,
    payload: payload as Record<string, unknown>,
  });
}

async function newToken(w: World, siteId = w.tenantA.siteId): Promise<string> {
  const response = await w.app.inject({
    method: 'POST',
    url: `/api/sites/${siteId}/enrollment-tokens`,
    headers: siteId === w.tenantB.siteId ? w.as.adminB : w.as.admin,
  });
  return (response.json() as { data: { token: string } }).data.token;
}

function enroll(w: World, body: Record<string, unknown>) {
  return w.app.inject({ method: 'POST', url: '/api/agents/enroll', payload: body });
}

const enrollBody = (token: string) => ({
  token,
  hostname: 'edge-01',
  agentVersion: '0.1.0',
  publicKeys: publicKeys(),
});

async function enrolled(w: World, siteId = w.tenantA.siteId) {
  const response = await enroll(w, enrollBody(await newToken(w, siteId)));
  return (response.json() as { data: { agentId: string; mqtt: { username: string; password: string } } })
    .data;
}

function errorCode(response: { json(): unknown }) {
  return (response.json() as { code?: string }).code;
}

testEachDialect('a token is shown once, stored hashed, and enrolls one agent', async (t, db) => {
  const w = await world(t, db);
  const created = await createToken(w, w.tenantA.siteId, { expiresInS: 3600 });
  t.equal(created.statusCode, 201);
  const { data } = created.json() as {
    data: { id: string; token: string; siteId: string; expiresAt: string };
  };
  t.match(data, { siteId: w.tenantA.siteId, token: /^hie_[A-Za-z0-9_-]{43}$/ });
  t.equal(Date.parse(data.expiresAt), w.clock.now + 3600 * 1000, 'expires when asked');
  const stored = await db.selectFrom('enrollment_token').selectAll().executeTakeFirstOrThrow();
  t.equal(stored.token_hash, `sha256:${createHash('sha256').update(data.token).digest('hex')}`);
  t.notMatch(JSON.stringify(stored), data.token, 'the token itself is stored nowhere');

  const keys = publicKeys();
  const response = await enroll(w, { ...enrollBody(data.token), publicKeys: keys });
  t.equal(response.statusCode, 201);
  const enrollment = (
    response.json() as {
      data: {
        agentId: string;
        siteId: string;
        mqtt: { url: string; username: string; password: string };
        commandKeys: VerifyKey[];
      };
    }
  ).data;
  t.equal(enrollment.mqtt.username, enrollment.agentId, 'the MQTT user name is the agent id');
  t.equal(enrollment.mqtt.url, `mqtt://127.0.0.1:${w.mqttPort}`, 'the broker URL agents should use');
  // The cloud's command key, created once by the migrations: what it signs, the agent can verify.
  const [signingKey, ...more] = await db.selectFrom('command_signing_key').selectAll().execute();
  t.equal(more.length, 0, 'one signing key');
  t.same(enrollment.commandKeys, [{ keyId: signingKey?.id, publicKey: signingKey?.public_key }]);
  t.notMatch(response.body, /PRIVATE KEY/, 'never the private half');
  // The vault wrapped the private half with the master key at start (issue #6); it unwraps it for signing.
  t.equal(signingKey?.private_key, '', 'no clear private key at rest');
  const signer = await w.app.vault.signingKey();
  t.equal(signer.keyId, signingKey?.id, 'the stored id names the stored key');
  const signed = signCommand(
    {
      commandId: '01JDX8Z0000000000000000001',
      agentId: enrollment.agentId,
      nonce: Buffer.alloc(16, 1),
      minerIds: ['aabbccddeeff'],
      expiresAtMs: w.clock.now + 60_000,
      reboot: {},
    },
    signer,
  );
  t.equal(verifyCommand(signed, enrollment.commandKeys).agentId, enrollment.agentId, 'verifies');
  t.equal(enrollment.siteId, w.tenantA.siteId);
  t.ok(enrollment.mqtt.password.length >= 43, 'a 256-bit password');
  const agent = await db
    .selectFrom('agent')
    .selectAll()
    .where('id', '=', enrollment.agentId)
    .executeTakeFirstOrThrow();
  t.match(agent, {
    tenant_id: w.tenantA.tenantId,
    site_id: w.tenantA.siteId,
    hostname: 'edge-01',
    agent_version: '0.1.0',
    signing_public_key: keys.signing,
    box_public_key: keys.box,
    revoked_at: null,
  });
  t.notMatch(JSON.stringify(agent), enrollment.mqtt.password, 'the password is stored only hashed');

  // The credentials work on the broker, for this agent id only.
  const client = await connectAgent(t, w.mqttPort, enrollment.agentId, enrollment.mqtt.password);
  t.ok(client.connected, 'the enrolled agent connects');
  t.equal(
    await tryConnect(w.mqttPort, enrollment.agentId, { username: enrollment.agentId, password: 'x' }),
    'refused',
  );

  const again = await enroll(w, enrollBody(data.token));
  t.equal(again.statusCode, 409, 'a used token never works again');
  t.equal(errorCode(again), 'ENROLLMENT_TOKEN_USED');
  t.equal(
    await db
      .selectFrom('agent')
      .select('id')
      .execute()
      .then((rows) => rows.length),
    1,
    'no second agent',
  );
});

testEachDialect('enrollment answers every command key in use and none retired', async (t, db) => {
  const w = await world(t, db);
  const [first] = await db.selectFrom('command_signing_key').select(['id', 'public_key']).execute();
  const next = generateKeyPair('ed25519');
  const retired = generateKeyPair('ed25519');
  for (const [key, retiredAt] of [
    [next, null],
    [retired, w.clock.now],
  ] as const) {
    await db
      .insertInto('command_signing_key')
      .values({
        id: key.keyId,
        algorithm: 'ed25519',
        public_key: key.publicKey,
        private_key: exportPrivateKey(key.privateKey),
        created_at: Date.now() + 1000,
        retired_at: retiredAt,
      })
      .execute();
  }
  const data = (await enrolled(w)) as unknown as { commandKeys: VerifyKey[] };
  t.same(data.commandKeys, [
    { keyId: first?.id, publicKey: first?.public_key },
    { keyId: next.keyId, publicKey: next.publicKey },
  ]);
  await db.deleteFrom('command_signing_key').execute();
  const refused = await enroll(w, enrollBody(await newToken(w)));
  t.equal(refused.statusCode, 500, 'no key, no enrollment');
  t.equal(errorCode(refused), 'AGENT_NO_COMMAND_KEY');
});

testEachDialect('expired and unknown tokens are refused clearly', async (t, db) => {
  const w = await world(t, db);
  const token = await newToken(w);
  const expiring = await (await createToken(w, w.tenantA.siteId, { expiresInS: 60 })).json().data.token;
  w.clock.now += 24 * 3600 * 1000 - 1;
  t.equal((await enroll(w, enrollBody(token))).statusCode, 201, 'the default lifetime is a day');
  w.clock.now += 2;
  const late = await enroll(w, enrollBody(await newToken(w)));
  t.equal(late.statusCode, 201, 'a new token from the later clock works');
  const expired = await enroll(w, enrollBody(expiring));
  t.equal(expired.statusCode, 410);
  t.equal(errorCode(expired), 'ENROLLMENT_TOKEN_EXPIRED');
  const unknown = await enroll(w, enrollBody(`hie_${'A'.repeat(43)}`));
  t.equal(unknown.statusCode, 401);
  t.equal(errorCode(unknown), 'ENROLLMENT_TOKEN_INVALID');
});

testEachDialect('two agents racing with one token: exactly one enrolls', async (t, db) => {
  const w = await world(t, db);
  const token = await newToken(w);
  const results = await Promise.all(Array.from({ length: 5 }, () => enroll(w, enrollBody(token))));
  t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409]);
});

testEachDialect('tokens only for the caller tenant sites, only by admins', async (t, db) => {
  const w = await world(t, db);
  const foreign = await createToken(w, w.tenantB.siteId);
  const missing = await createToken(w, uuidv7());
  t.equal(foreign.statusCode, 404);
  t.equal(errorCode(foreign), 'SITE_NOT_FOUND');
  t.same(
    { ...(foreign.json() as object), timestamp: 0 },
    { ...(missing.json() as object), timestamp: 0 },
    "another tenant's site looks exactly like a missing one",
  );
  t.equal((await createToken(w, w.tenantA.otherSiteId)).statusCode, 201, 'any site of the own tenant');
  for (const role of ['mining_site', 'customer', 'guest'] as const) {
    const response = await w.app.inject({
      method: 'POST',
      url: `/api/sites/${w.tenantA.siteId}/enrollment-tokens`,
      headers: w.as[role],
      payload: {},
    });
    t.equal(response.statusCode, 403, `${role} may not create tokens`);
  }
  const anonymous = await w.app.inject({
    method: 'POST',
    url: `/api/sites/${w.tenantA.siteId}/enrollment-tokens`,
  });
  t.equal(anonymous.statusCode, 401);
  t.equal(
    await db
      .selectFrom('enrollment_token')
      .select('id')
      .execute()
      .then((r) => r.length),
    1,
  );
});

testEachDialect('bad enrollment input is a 400 and consumes nothing', async (t, db) => {
  const w = await world(t, db);
  const token = await newToken(w);
  const good = enrollBody(token);
  const [smallOrder, notOnCurve] = [
    Buffer.from('0100000000000000000000000000000000000000000000000000000000000000', 'hex').toString('base64'),
    // y = 2 has no x on Ed25519.
    Buffer.from('0200000000000000000000000000000000000000000000000000000000000000', 'hex').toString('base64'),
  ];
  const cases: [string, unknown][] = [
    ['missing token', { ...good, token: undefined }],
    ['token of the wrong type', { ...good, token: { $ne: null } }],
    ['version of the wrong type', { ...good, agentVersion: ['0.1.0', '0.2.0'] }],
    ['oversized token', { ...good, token: 'x'.repeat(10_000) }],
    ['extra field', { ...good, role: 'owner' }],
    ['hostile hostname', { ...good, hostname: 'edge\n01; rm -rf /' }],
    ['keys missing', { ...good, publicKeys: undefined }],
    ['keys as a string', { ...good, publicKeys: 'abc' }],
    ['extra key field', { ...good, publicKeys: { ...good.publicKeys, private: 'x' } }],
    ['signing key not base64', { ...good, publicKeys: { ...good.publicKeys, signing: '!'.repeat(44) } }],
    [
      'signing key too short',
      { ...good, publicKeys: { ...good.publicKeys, signing: Buffer.alloc(16, 7).toString('base64') } },
    ],
    [
      'all-zero box key',
      { ...good, publicKeys: { ...good.publicKeys, box: Buffer.alloc(32).toString('base64') } },
    ],
    ['small-order signing key', { ...good, publicKeys: { ...good.publicKeys, signing: smallOrder } }],
    ['signing key off the curve', { ...good, publicKeys: { ...good.publicKeys, signing: notOnCurve } }],
    ['prototype pollution', JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(good).slice(1)}`)],
    ['an array', [good]],
  ];
  for (const [name, body] of cases) {
    const response = await w.app.inject({
      method: 'POST',
      url: '/api/agents/enroll',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    t.equal(response.statusCode, 400, name);
    t.match(response.json(), { success: false, code: String }, `${name}: error envelope`);
  }
  t.equal((await enroll(w, good)).statusCode, 201, 'the token still works after every refusal');
  for (const payload of [
    { expiresInS: 10 },
    { expiresInS: 'soon' },
    { expiresInS: 31 * 24 * 3600 },
    { ttl: 1 },
  ]) {
    t.equal((await createToken(w, w.tenantA.siteId, payload)).statusCode, 400, JSON.stringify(payload));
  }
});

testEachDialect('agents are listed and read within the tenant only', async (t, db) => {
  const w = await world(t, db);
  const a1 = await enrolled(w);
  const a2 = await enrolled(w, w.tenantA.otherSiteId);
  const b1 = await enrolled(w, w.tenantB.siteId);

  const list = await w.app.inject({ method: 'GET', url: '/api/agents', headers: w.as.mining_site });
  t.equal(list.statusCode, 200);
  const agents = (list.json() as { data: { agents: { id: string; status: string; online: boolean }[] } }).data
    .agents;
  t.same(agents.map((a) => a.id).sort(), [a1.agentId, a2.agentId].sort(), "tenant B's agent is not listed");
  t.match(agents[0], { status: 'offline', online: false, hostname: 'edge-01', agentVersion: '0.1.0' });

  const bySite = await w.app.inject({
    method: 'GET',
    url: `/api/agents?siteId=${w.tenantA.otherSiteId}`,
    headers: w.as.admin,
  });
  t.same(
    (bySite.json() as { data: { agents: { id: string }[] } }).data.agents.map((a) => a.id),
    [a2.agentId],
  );
  const foreignSite = await w.app.inject({
    method: 'GET',
    url: `/api/agents?siteId=${w.tenantB.siteId}`,
    headers: w.as.admin,
  });
  t.same(
    (foreignSite.json() as { data: { agents: unknown[] } }).data.agents,
    [],
    "filtering on B's site shows nothing",
  );

  // Online state comes from the agent's own presence.
  const client = await connectAgent(t, w.mqttPort, a1.agentId, a1.mqtt.password);
  t.ok(client.connected);
  await db
    .updateTable('agent')
    .set({ online: 1, last_seen_at: w.clock.now })
    .where('id', '=', a1.agentId)
    .execute();
  const one = await w.app.inject({ method: 'GET', url: `/api/agents/${a1.agentId}`, headers: w.as.owner });
  t.match(one.json(), {
    data: { id: a1.agentId, status: 'online', online: true, lastSeenAt: new Date(w.clock.now).toISOString() },
  });

  const foreign = await w.app.inject({
    method: 'GET',
    url: `/api/agents/${b1.agentId}`,
    headers: w.as.admin,
  });
  const missing = await w.app.inject({ method: 'GET', url: `/api/agents/${uuidv7()}`, headers: w.as.admin });
  t.equal(foreign.statusCode, 404);
  t.equal(errorCode(foreign), 'AGENT_NOT_FOUND');
  t.same({ ...(foreign.json() as object), timestamp: 0 }, { ...(missing.json() as object), timestamp: 0 });
  for (const role of ['customer', 'guest'] as const) {
    t.equal(
      (await w.app.inject({ method: 'GET', url: '/api/agents', headers: w.as[role] })).statusCode,
      403,
      role,
    );
  }
  t.equal(
    (await w.app.inject({ method: 'GET', url: '/api/agents/bad%2Fid', headers: w.as.admin })).statusCode,
    400,
  );
});

testEachDialect(
  'last sync and backlog come from the agent: its birth, then every batch stored',
  async (t, db) => {
    const w = await world(t, db);
    const a1 = await enrolled(w);
    const b1 = await enrolled(w, w.tenantB.siteId);
    const view = async (agentId = a1.agentId, headers = w.as.mining_site) => {
      const response = await w.app.inject({ method: 'GET', url: `/api/agents/${agentId}`, headers });
      return response.json() as { data: { lastSyncAt: string | null; backlogSamples: number | null } };
    };
    t.match(await view(), { data: { lastSyncAt: null, backlogSamples: null } }, 'nothing reported yet');

    const client = await connectAgent(t, w.mqttPort, a1.agentId, a1.mqtt.password);
    const birth = agentPresenceCodec.encode({
      birth: { epoch: 3, agentVersion: '0.1.0', backlogSamples: 120 },
    });
    await client.publishAsync(agentTopic(a1.agentId, 'state'), Buffer.from(birth), { qos: 1 });
    await waitFor('birth stored', async () =>
      (await view()).data.backlogSamples === 120 ? true : undefined,
    );
    t.equal((await view()).data.lastSyncAt, null, 'a birth is not a sync');

    const synced = w.clock.now;
    const batch = telemetryBatchCodec.encode({ epoch: 3, samples: [sample(1)], backlogSamples: 40 });
    await client.publishAsync(agentTopic(a1.agentId, 'telemetry'), Buffer.from(batch), { qos: 1 });
    await waitFor('batch stored', async () => ((await view()).data.backlogSamples === 40 ? true : undefined));
    t.match(await view(), { data: { lastSyncAt: new Date(synced).toISOString(), backlogSamples: 40 } });

    // An agent older than the field says nothing: the last figure stays, the sync time moves.
    w.clock.now += 60_000;
    const older = telemetryBatchCodec.encode({ epoch: 3, samples: [sample(2)] });
    await client.publishAsync(agentTopic(a1.agentId, 'telemetry'), Buffer.from(older), { qos: 1 });
    const moved = new Date(w.clock.now).toISOString();
    await waitFor('second batch stored', async () =>
      (await view()).data.lastSyncAt === moved ? true : undefined,
    );
    t.equal((await view()).data.backlogSamples, 40);

    const list = await w.app.inject({ method: 'GET', url: '/api/agents', headers: w.as.admin });
    t.match((list.json() as { data: { agents: unknown[] } }).data.agents, [
      { id: a1.agentId, lastSyncAt: moved, backlogSamples: 40 },
    ]);
    const other = await w.app.inject({
      method: 'GET',
      url: `/api/agents/${b1.agentId}`,
      headers: w.as.admin,
    });
    t.equal(other.statusCode, 404, "another tenant's agent stays hidden");
    t.match(await view(b1.agentId, w.as.adminB), { data: { lastSyncAt: null, backlogSamples: null } });
  },
);

testEachDialect('revoking an agent cuts its session at once and ends its credentials', async (t, db) => {
  const w = await world(t, db);
  const a1 = await enrolled(w);
  const b1 = await enrolled(w, w.tenantB.siteId);
  const client = await connectAgent(t, w.mqttPort, a1.agentId, a1.mqtt.password);
  const bClient = await connectAgent(t, w.mqttPort, b1.agentId, b1.mqtt.password);
  const cut = closed(client);

  const bySite = await w.app.inject({
    method: 'POST',
    url: `/api/agents/${a1.agentId}/revoke`,
    headers: w.as.mining_site,
  });
  t.equal(bySite.statusCode, 403, 'mining_site may not revoke');
  const foreign = await w.app.inject({
    method: 'POST',
    url: `/api/agents/${b1.agentId}/revoke`,
    headers: w.as.admin,
  });
  t.equal(foreign.statusCode, 404, "another tenant's agent cannot be revoked");
  t.ok(bClient.connected, 'and stays connected');

  const revoked = await w.app.inject({
    method: 'POST',
    url: `/api/agents/${a1.agentId}/revoke`,
    headers: w.as.admin,
  });
  t.equal(revoked.statusCode, 200);
  t.match(revoked.json(), { data: { id: a1.agentId, status: 'revoked', online: false, revokedAt: String } });
  await cut;
  t.notOk(client.connected, 'the live session was cut by the broker');
  t.equal(
    await tryConnect(w.mqttPort, a1.agentId, { username: a1.agentId, password: a1.mqtt.password }),
    'refused',
  );
  const again = await w.app.inject({
    method: 'POST',
    url: `/api/agents/${a1.agentId}/revoke`,
    headers: w.as.owner,
  });
  t.equal(again.statusCode, 200, 'revoking twice is fine');
  t.equal(
    (again.json() as { data: { revokedAt: string } }).data.revokedAt,
    (revoked.json() as { data: { revokedAt: string } }).data.revokedAt,
    'the first revocation time is kept',
  );
});
