import { allAgentsTopic, parseAgentTopic } from '@hashinsight/protocol';
import {
  generateKeyPair,
  type KeyPair,
  openCredential,
  rawPublicKey,
  signCommand,
  verifyCommand,
} from '@hashinsight/vault';
import { sql } from 'kysely';
import type { Test } from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { buildAppOver, insertAgent, insertMiner } from '../../test/fleet.js';
import { seedTenant } from '../../test/identities.js';

// The VaultApi as the commands feature uses it: store, stage, activate, discard, seal to an agent, sign.

interface Received {
  agentId: string;
  payload: Uint8Array;
}

async function world(t: Test, db: Db) {
  const app = await buildAppOver(t, db);
  const a = await seedTenant(db, 'A');
  const b = await seedTenant(db, 'B');
  const boxes = new Map<string, KeyPair>();
  for (const [agentId, tenant] of [
    ['agent-a1', a],
    ['agent-a2', a],
    ['agent-b1', b],
  ] as const) {
    await insertAgent(db, { id: agentId, tenantId: tenant.tenantId, siteId: tenant.siteId });
    const box = generateKeyPair('x25519');
    boxes.set(agentId, box);
    await db.updateTable('agent').set({ box_public_key: box.publicKey }).where('id', '=', agentId).execute();
  }
  await insertMiner(db, {
    agentId: 'agent-a1',
    id: 'm1',
    tenantId: a.tenantId,
    siteId: a.siteId,
    model: 'S19',
  });
  await insertMiner(db, {
    agentId: 'agent-a1',
    id: 'm2',
    tenantId: a.tenantId,
    siteId: a.siteId,
    model: 'S19',
  });
  await insertMiner(db, {
    agentId: 'agent-a2',
    id: 'm3',
    tenantId: a.tenantId,
    siteId: a.siteId,
    model: 'S21',
  });
  await insertMiner(db, {
    agentId: 'agent-b1',
    id: 'm1',
    tenantId: b.tenantId,
    siteId: b.siteId,
    model: 'S19',
  });
  const received: Received[] = [];
  const unsubscribe = await app.broker.subscribe(allAgentsTopic('credential'), (topic, payload) => {
    received.push({ agentId: parseAgentTopic(topic).agentId, payload: Buffer.from(payload) });
  });
  t.teardown(unsubscribe);
  const keys = async () => {
    const rows = await db.selectFrom('command_signing_key').select(['id', 'public_key']).execute();
    return rows.map((row) => ({ keyId: row.id, publicKey: row.public_key }));
  };
  const open = async (message: Received) =>
    openCredential(message.payload, boxes.get(message.agentId) as KeyPair, await keys());
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  return { app, a, b, boxes, received, open, keys, settle };
}

testEachDialect(
  'putCredential stores ciphertext only and seals the login to the agents it applies to',
  async (t, db) => {
    const w = await world(t, db);
    const login = { username: 'root', password: 'pässwörd-🔑-secret' };
    const ref = await w.app.vault.putCredential(
      w.a.tenantId,
      { kind: 'miner', agentId: 'agent-a1', minerId: 'm1' },
      'web',
      login,
    );
    t.equal(ref.version, 1);
    await w.settle();
    t.equal(w.received.length, 1, 'one agent: the miner’s');
    const [message] = w.received;
    t.equal(message?.agentId, 'agent-a1');
    t.same(await w.open(message as Received), login, 'the agent opens exactly the login');
    const dump = JSON.stringify(
      (await sql`select * from credential_version`.execute(db)).rows.concat(
        (await sql`select * from credential`.execute(db)).rows,
      ),
    );
    t.notMatch(dump, 'pässwörd', 'no plaintext in the database');
    t.notMatch(dump, Buffer.from(login.password).toString('base64'), 'nor its base64');

    const again = await w.app.vault.putCredential(
      w.a.tenantId,
      { kind: 'miner', agentId: 'agent-a1', minerId: 'm1' },
      'web',
      { username: 'root', password: 'second' },
    );
    t.same(again, { credentialId: ref.credentialId, version: 2 }, 'the same slot, the next version');
    const states = await db
      .selectFrom('credential_version' as never)
      .select(['version' as never, 'state' as never])
      .orderBy('version' as never)
      .execute();
    t.same(states, [
      { version: 1, state: 'inactive' },
      { version: 2, state: 'active' },
    ]);
  },
);

testEachDialect('the same password on two miners gives two different ciphertexts', async (t, db) => {
  const w = await world(t, db);
  const login = { username: 'root', password: 'same-password' };
  await w.app.vault.putCredential(
    w.a.tenantId,
    { kind: 'miner', agentId: 'agent-a1', minerId: 'm1' },
    'web',
    login,
  );
  await w.app.vault.putCredential(
    w.a.tenantId,
    { kind: 'miner', agentId: 'agent-a1', minerId: 'm2' },
    'web',
    login,
  );
  const rows = (await sql<{ ciphertext: string }>`select ciphertext from credential_version`.execute(db))
    .rows;
  t.equal(rows.length, 2);
  t.not(rows[0]?.ciphertext, rows[1]?.ciphertext);
});

testEachDialect(
  'model and site defaults reach the right agents; the most specific login wins',
  async (t, db) => {
    const w = await world(t, db);
    await w.app.vault.putCredential(
      w.a.tenantId,
      { kind: 'miner', agentId: 'agent-a1', minerId: 'm2' },
      'web',
      {
        username: 'own',
        password: 'own-password',
      },
    );
    w.received.length = 0;
    await w.app.vault.putCredential(w.a.tenantId, { kind: 'model', model: 'S19' }, 'web', {
      username: 'model',
      password: 'model-password',
    });
    await w.settle();
    t.equal(w.received.length, 1, 'only agent-a1 has S19 miners in tenant A (agent-b1 is another tenant)');
    const { verifySealedCredential } = await import('@hashinsight/vault');
    const sealed = verifySealedCredential(
      w.received[0]?.payload as Uint8Array,
      w.boxes.get('agent-a1') as KeyPair,
      await w.keys(),
    );
    t.same(sealed.minerIds, ['m1'], 'm2 keeps its own login');

    w.received.length = 0;
    await w.app.vault.putCredential(w.a.tenantId, { kind: 'site', siteId: w.a.siteId }, 'api', {
      username: 'site',
      password: 'site-password',
    });
    await w.settle();
    t.same(w.received.map((m) => m.agentId).sort(), ['agent-a1', 'agent-a2'], 'every agent of the site');

    await t.rejects(
      w.app.vault.putCredential(w.a.tenantId, { kind: 'site', siteId: w.b.siteId }, 'web', {
        username: 'x',
        password: 'y',
      }),
      { code: 'VAULT_SCOPE_NOT_FOUND' },
      "another tenant's site is not found",
    );
    await t.rejects(
      w.app.vault.putCredential(w.a.tenantId, { kind: 'miner', agentId: 'agent-b1', minerId: 'm1' }, 'web', {
        username: 'x',
        password: 'y',
      }),
      { code: 'VAULT_SCOPE_NOT_FOUND' },
      "another tenant's miner is not found",
    );
  },
);

testEachDialect('stagePending, activate and discardPending', async (t, db) => {
  const w = await world(t, db);
  const scope = { kind: 'miner', agentId: 'agent-a1', minerId: 'm1' } as const;
  const active = await w.app.vault.putCredential(w.a.tenantId, scope, 'web', {
    username: 'root',
    password: 'old',
  });
  w.received.length = 0;
  const pending = await w.app.vault.stagePending(w.a.tenantId, scope, 'web', {
    username: 'root',
    password: 'new',
  });
  t.same(pending, { credentialId: active.credentialId, version: 2 });
  await w.settle();
  t.equal(w.received.length, 0, 'a pending login is not distributed by itself');

  await w.app.vault.sendSealed(w.a.tenantId, pending, 'agent-a1', ['m1']);
  await w.settle();
  t.same(await w.open(w.received[0] as Received), { username: 'root', password: 'new' }, 'but can be sent');
  await t.rejects(
    w.app.vault.sendSealed(w.b.tenantId, pending, 'agent-b1', ['m1']),
    { code: 'VAULT_CREDENTIAL_NOT_FOUND' },
    'never to another tenant',
  );
  await t.rejects(
    w.app.vault.sendSealed(w.a.tenantId, pending, 'agent-b1', ['m1']),
    { code: 'VAULT_CREDENTIAL_NOT_FOUND' },
    "never to another tenant's agent",
  );

  await t.rejects(w.app.vault.activate(w.b.tenantId, pending), { code: 'VAULT_CREDENTIAL_NOT_FOUND' });
  await w.app.vault.activate(w.a.tenantId, pending);
  await w.app.vault.activate(w.a.tenantId, pending); // a repeated confirmation is harmless
  const slot = await sql<{ active_version: number }>`select active_version from credential`.execute(db);
  t.equal(Number(slot.rows[0]?.active_version), 2);
  await t.rejects(w.app.vault.activate(w.a.tenantId, active), { code: 'VAULT_VERSION_NOT_PENDING' });

  const third = await w.app.vault.stagePending(w.a.tenantId, scope, 'web', {
    username: 'root',
    password: 'x',
  });
  await w.app.vault.discardPending(w.b.tenantId, third); // another tenant: nothing happens
  t.equal(
    (await sql`select * from credential_version where version = 3`.execute(db)).rows.length,
    1,
    'discard by another tenant does nothing',
  );
  await w.app.vault.discardPending(w.a.tenantId, third);
  t.equal((await sql`select * from credential_version where version = 3`.execute(db)).rows.length, 0);
  await t.rejects(w.app.vault.sendSealed(w.a.tenantId, third, 'agent-a1', []), {
    code: 'VAULT_CREDENTIAL_NOT_FOUND',
  });
});

testEachDialect('signingKey() is the enrolled public key, wrapped at rest', async (t, db) => {
  const w = await world(t, db);
  const signer = await w.app.vault.signingKey();
  const [row] = await sql<{
    id: string;
    public_key: string;
    private_key: string;
    private_key_wrapped: string;
  }>`select * from command_signing_key`
    .execute(db)
    .then((r) => r.rows);
  t.equal(signer.keyId, row?.id);
  t.equal(rawPublicKey(signer.privateKey), row?.public_key);
  t.equal(row?.private_key, '', 'the clear PEM is blanked');
  t.notMatch(row?.private_key_wrapped ?? '', /PRIVATE KEY/);
  const signed = signCommand(
    {
      commandId: 'c1',
      agentId: 'agent-a1',
      nonce: Buffer.alloc(16, 7),
      minerIds: ['m1'],
      expiresAtMs: Date.now() + 60_000,
      reboot: {},
    },
    signer,
  );
  t.equal(verifyCommand(signed, await w.keys()).agentId, 'agent-a1');
});

testEachDialect('fieldCipher seals bound to tenant and context; blind indexes per tenant', async (t, db) => {
  const w = await world(t, db);
  const a = await w.app.vault.fieldCipher(w.a.tenantId);
  const b = await w.app.vault.fieldCipher(w.b.tenantId);
  const sealed = a.seal('10.0.0.5', 'miner-ip|agent-a1|m1');
  t.notMatch(sealed, '10.0.0.5');
  t.equal(a.open(sealed, 'miner-ip|agent-a1|m1'), '10.0.0.5');
  t.throws(() => a.open(sealed, 'miner-ip|agent-a1|m2'), { code: 'VAULT_OPEN_FAILED' }, 'another miner');
  t.throws(() => b.open(sealed, 'miner-ip|agent-a1|m1'), 'another tenant');
  t.not(a.seal('10.0.0.5', 'c'), a.seal('10.0.0.5', 'c'), 'random IVs');
  t.equal(a.blindIndex('10.0.0.5'), (await w.app.vault.fieldCipher(w.a.tenantId)).blindIndex('10.0.0.5'));
  t.not(a.blindIndex('10.0.0.5'), b.blindIndex('10.0.0.5'));
  t.match(a.blindIndex('x'), /^[0-9a-f]{64}$/);
});

testEachDialect('an agent coming online gets every login that applies to it, once', async (t, db) => {
  const w = await world(t, db);
  await w.app.vault.putCredential(w.a.tenantId, { kind: 'site', siteId: w.a.siteId }, 'web', {
    username: 'site',
    password: 'site-pw',
  });
  await w.app.vault.putCredential(w.a.tenantId, { kind: 'model', model: 'S19' }, 'web', {
    username: 'model',
    password: 'model-pw',
  });
  await w.app.vault.putCredential(
    w.a.tenantId,
    { kind: 'miner', agentId: 'agent-a1', minerId: 'm2' },
    'web',
    {
      username: 'own',
      password: 'own-pw',
    },
  );
  await w.app.vault.putCredential(w.b.tenantId, { kind: 'site', siteId: w.b.siteId }, 'web', {
    username: 'b',
    password: 'b-pw',
  });
  await w.app.ready();
  await w.settle();
  w.received.length = 0;
  const { recordEvent } = await import('../../platform/index.js');
  await recordEvent(db, { type: 'agent.online', tenantId: w.a.tenantId, payload: { agentId: 'agent-a1' } });
  await w.app.platform.events.relayOnce();
  for (let i = 0; i < 100 && w.received.length < 3; i++) await w.settle();
  t.same(
    w.received.map((m) => m.agentId),
    ['agent-a1', 'agent-a1', 'agent-a1'],
    'site, model, miner: to agent-a1 only',
  );
  const opened = await Promise.all(w.received.map((m) => w.open(m)));
  t.same(
    opened.map((login) => login.password),
    ['site-pw', 'model-pw', 'own-pw'],
    'least specific first, so the agent ends up preferring the most specific',
  );
  await w.app.platform.events.relayOnce(); // relaying again sends nothing more
  await w.settle();
  t.equal(w.received.length, 3);
});

testEachDialect('concurrent writes to one slot get distinct versions and one active', async (t, db) => {
  const w = await world(t, db);
  const scope = { kind: 'miner', agentId: 'agent-a1', minerId: 'm1' } as const;
  const refs = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      w.app.vault.putCredential(w.a.tenantId, scope, 'web', { username: 'root', password: `pw-${i}` }),
    ),
  );
  t.same(
    refs.map((r) => r.version).sort((x, y) => x - y),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  t.equal(new Set(refs.map((r) => r.credentialId)).size, 1, 'one slot');
  const active = await sql<{
    version: number;
  }>`select version from credential_version where state = 'active'`.execute(db);
  t.equal(active.rows.length, 1, 'exactly one active version');
  const slot = await sql<{ active_version: number }>`select active_version from credential`.execute(db);
  t.equal(Number(slot.rows[0]?.active_version), Number(active.rows[0]?.version), 'the slot names it');
});
