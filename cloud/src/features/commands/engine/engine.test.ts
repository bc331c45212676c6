// The command engine over a real database (both dialects), the real embedded broker and the real vault: what it
// publishes is checked with the agent's own verification, and agents' updates are injected on their topics.
import {
  agentTopic,
  allAgentsTopic,
  commandUpdateCodec,
  hashinsight,
  parseAgentTopic,
} from '@hashinsight/protocol';
import { generateKeyPair, rawPublicKey, verifyCommand, verifySealedCredential } from '@hashinsight/vault';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Test } from 'tap';
import { buildApp } from '../../../app.js';
import type { Db } from '../../../db/index.js';
import type { CommandTable, CommandTargetTable } from '../../../db/schema.js';
import { uuidv7 } from '../../../lib/ids.js';
import { createEmbeddedBroker } from '../../../plugins/broker.js';
import { testEachDialect } from '../../../test/databases.js';
import { insertAgent, insertMiner } from '../../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../../test/helpers.js';
import { accessToken, bearer, seedTenant, type TestTenant } from '../../../test/identities.js';
import { commandHash } from '../canonical.js';
import { TARGET_TRANSITIONS } from '../lifecycle.js';
import { canonicalOf } from '../service.js';
import type { EngineSettings } from './context.js';

const { CommandState } = hashinsight.v1;
type Command = hashinsight.v1.Command;

const T0 = 1_800_000_000_000;

interface Sent {
  agentId: string;
  kind: 'command' | 'credential';
  bytes: Uint8Array;
}

async function world(t: Test, db: Db, settings: Partial<EngineSettings> = {}) {
  const clock = { now: T0 };
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app: FastifyInstance = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    now: () => clock.now,
    commandEngine: { timers: false, settings: { resendAfterMs: 1000, graceMs: 1000, ...settings } },
  });
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  await app.ready();
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  const sent: Sent[] = [];
  for (const kind of ['command', 'credential'] as const) {
    await app.broker.subscribe(allAgentsTopic(kind), (topic, payload) => {
      sent.push({ agentId: parseAgentTopic(topic).agentId, kind, bytes: Buffer.from(payload) });
    });
  }
  const key = await app.vault.signingKey();
  const keys = [{ keyId: key.keyId, publicKey: rawPublicKey(key.privateKey) }];
  const boxes = new Map<string, ReturnType<typeof generateKeyPair>>();

  async function agent(
    id: string,
    tenant: TestTenant,
    siteId = tenant.siteId,
    miners = 0,
  ): Promise<string[]> {
    await insertAgent(db, { id, tenantId: tenant.tenantId, siteId });
    const box = generateKeyPair('x25519');
    boxes.set(id, box);
    await db
      .updateTable('agent')
      .set({ box_public_key: box.publicKey, signing_public_key: generateKeyPair('ed25519').publicKey })
      .where('id', '=', id)
      .execute();
    const ids: string[] = [];
    for (let i = 0; i < miners; i++) {
      const minerId = `${id}-m${String(i).padStart(4, '0')}`;
      await insertMiner(db, { agentId: id, id: minerId, tenantId: tenant.tenantId, siteId });
      ids.push(minerId);
    }
    return ids;
  }

  async function command(
    tenant: TestTenant,
    targets: {
      agentId: string;
      minerId: string;
      siteId?: string;
      credential?: { id: string; version: number };
    }[],
    fields: Partial<CommandTable> = {},
  ): Promise<string> {
    const id = uuidv7(clock.now);
    const row: CommandTable = {
      id,
      tenant_id: tenant.tenantId,
      type: 'reboot',
      params: '{}',
      targets: '{}',
      target_count: targets.length,
      status: 'active',
      status_reason: '',
      created_by: tenant.users.admin.id,
      created_at: clock.now,
      not_before: clock.now,
      expires_at: clock.now + 600_000,
      effect_timeout_s: 60,
      canonical_hash: '',
      requires_approval: 0,
      approval_reason: '',
      approved_by: null,
      approved_at: null,
      approved_hash: null,
      rollout_per_minute: 50,
      abort_threshold_pct: 10,
      abort_min_executed: 20,
      schedule_id: null,
      idempotency_key: null,
      version: 0,
      finished_at: null,
      ...fields,
    };
    const rows: CommandTargetTable[] = targets.map((target) => ({
      command_id: id,
      agent_id: target.agentId,
      miner_id: target.minerId,
      site_id: target.siteId ?? tenant.siteId,
      state: 'queued',
      reason: '',
      error_code: '',
      credential_id: target.credential?.id ?? null,
      credential_version: target.credential?.version ?? null,
      dispatch_id: null,
      queued_at: clock.now,
      dispatched_at: null,
      received_at: null,
      started_at: null,
      finished_at: null,
      updated_at: clock.now,
      version: 0,
    }));
    row.canonical_hash = commandHash(canonicalOf(row, rows));
    if (fields.approved_hash === 'valid') row.approved_hash = row.canonical_hash;
    await db.insertInto('command').values(row).execute();
    for (let i = 0; i < rows.length; i += 200) {
      await db
        .insertInto('command_target')
        .values(rows.slice(i, i + 200))
        .execute();
    }
    return id;
  }

  const commands = (agentId?: string): Command[] =>
    sent
      .filter((s) => s.kind === 'command' && (agentId === undefined || s.agentId === agentId))
      .map((s) => verifyCommand(s.bytes, keys));

  async function report(agentId: string, dispatchId: string, minerId: string, state: number, extra = {}) {
    await app.broker.publish(
      agentTopic(agentId, 'command-update'),
      commandUpdateCodec.encode({ commandId: dispatchId, minerId, state, atMs: clock.now, ...extra }),
      { qos: 1, retain: false },
    );
  }
  async function settled(): Promise<void> {
    // The broker hands the message to the engine's subscription asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await app.commandEngine.drained();
  }
  const targets = async (commandId: string) =>
    db
      .selectFrom('command_target')
      .selectAll()
      .where('command_id', '=', commandId)
      .orderBy('agent_id')
      .orderBy('miner_id')
      .execute();
  const states = async (commandId: string) => {
    const counts: Record<string, number> = {};
    for (const row of await targets(commandId)) counts[row.state] = (counts[row.state] ?? 0) + 1;
    return counts;
  };
  const status = async (commandId: string) =>
    await db
      .selectFrom('command')
      .select(['status', 'status_reason', 'finished_at'])
      .where('id', '=', commandId)
      .executeTakeFirstOrThrow();

  return {
    app,
    db,
    clock,
    logs,
    a,
    b,
    sent,
    keys,
    boxes,
    agent,
    command,
    commands,
    report,
    settled,
    targets,
    states,
    status,
  };
}

testEachDialect(
  'engine: dispatch per agent, signed for it; updates drive targets to succeeded',
  async (t, db) => {
    const w = await world(t, db);
    const m1 = await w.agent('agent-1', w.a, undefined, 3);
    const m2 = await w.agent('agent-2', w.a, undefined, 2);
    const id = await w.command(
      w.a,
      [...m1, ...m2].map((minerId) => ({ agentId: minerId.slice(0, 7), minerId })),
    );

    t.equal(await w.app.commandEngine.dispatchPass(), 5);
    const [one, two] = [w.commands('agent-1'), w.commands('agent-2')];
    t.equal(one.length, 1, 'one message per agent');
    t.equal(two.length, 1);
    const msg = one[0] as Command;
    t.equal(msg.agentId, 'agent-1');
    t.same(msg.minerIds, m1);
    t.equal(msg.action, 'reboot');
    t.equal(msg.nonce.length, 16);
    t.equal(Number(msg.expiresAtMs), T0 + 600_000);
    t.equal(msg.effectTimeoutS, 60);
    t.not(msg.commandId, id, 'the wire id is the dispatch id, not the command id');
    t.notSame(Buffer.from(msg.nonce), Buffer.from((two[0] as Command).nonce), 'a fresh nonce per message');
    t.same(await w.states(id), { dispatched: 5 });
    const dispatches = await db
      .selectFrom('command_dispatch')
      .selectAll()
      .where('command_id', '=', id)
      .execute();
    t.equal(dispatches.length, 2);
    t.ok(dispatches.every((d) => d.published_at !== null && d.kind === 'run'));
    t.equal(await w.app.commandEngine.dispatchPass(), 0, 'nothing is sent twice');

    for (const minerId of m1) {
      await w.report('agent-1', msg.commandId, minerId, CommandState.COMMAND_STATE_RECEIVED);
      await w.report('agent-1', msg.commandId, minerId, CommandState.COMMAND_STATE_RUNNING);
      await w.report('agent-1', msg.commandId, minerId, CommandState.COMMAND_STATE_SUCCEEDED);
    }
    await w.settled();
    t.same(await w.states(id), { dispatched: 2, succeeded: 3 });
    const done = (await w.targets(id))[0] as CommandTargetTable;
    t.ok(done.received_at && done.started_at && done.finished_at, 'timestamps of every step');
    t.equal(done.version, 4, 'version +1 per transition');

    // Skipped steps are fine (an agent back from an outage reports the outcome only); a failure keeps its reason.
    const [x, y] = m2 as [string, string];
    await w.report('agent-2', (two[0] as Command).commandId, x, CommandState.COMMAND_STATE_SUCCEEDED);
    await w.report('agent-2', (two[0] as Command).commandId, y, CommandState.COMMAND_STATE_FAILED, {
      message: 'miner said no',
      errorCode: 'MINER_REFUSED',
    });
    await w.settled();
    const failed = (await w.targets(id)).find((row) => row.miner_id === y);
    t.match(failed, { state: 'failed', reason: 'miner said no', error_code: 'MINER_REFUSED' });
    t.match(await w.status(id), { status: 'finished' }, 'finished once every target is terminal');
    t.ok((await w.status(id)).finished_at);

    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', w.a.tenantId)
      .execute();
    t.equal(
      audit.filter((row) => row.method === 'MQTT' && row.route.startsWith('reboot to agent')).length,
      2,
      'each dispatch audited',
    );
    t.equal(audit.filter((row) => row.route.startsWith('command-update')).length, 5, 'each result audited');
    t.notOk(
      TARGET_TRANSITIONS.queued.includes('dispatched') === false,
      'the bulk queued -> dispatched step is legal',
    );
  },
);

testEachDialect('engine: hostile and foreign updates are counted, never applied', async (t, db) => {
  const w = await world(t, db);
  const m1 = await w.agent('agent-1', w.a, undefined, 2);
  await w.agent('agent-b', w.b, w.b.siteId, 1);
  const id = await w.command(
    w.a,
    m1.map((minerId) => ({ agentId: 'agent-1', minerId })),
  );
  await w.app.commandEngine.dispatchPass();
  const dispatchId = (w.commands('agent-1')[0] as Command).commandId;
  const before = await w.targets(id);

  for (const payload of [Buffer.alloc(0), Buffer.from('garbage'), Buffer.alloc(300 * 1024, 7)]) {
    await w.app.broker.publish(agentTopic('agent-1', 'command-update'), payload, { qos: 1, retain: false });
  }
  // Another agent (another tenant's) reporting on agent-1's dispatch.
  await w.report('agent-b', dispatchId, m1[0] as string, CommandState.COMMAND_STATE_SUCCEEDED);
  // A miner the dispatch never named; a dispatch that does not exist.
  await w.report('agent-1', dispatchId, 'agent-b-m0000', CommandState.COMMAND_STATE_SUCCEEDED);
  await w.report('agent-1', uuidv7(), m1[0] as string, CommandState.COMMAND_STATE_SUCCEEDED);
  await w.settled();
  t.same(await w.targets(id), before, 'no target moved');
  const rejected = w.app.commandEngine.metrics.updatesRejected;
  t.equal(rejected.COMMANDS_UNKNOWN_DISPATCH, 2);
  t.equal(rejected.COMMANDS_UNKNOWN_TARGET, 1);
  t.ok(
    (rejected.PROTOCOL_MALFORMED ?? 0) +
      (rejected.PROTOCOL_INVALID ?? 0) +
      (rejected.PROTOCOL_TOO_LARGE ?? 0) >=
      3,
  );

  // Duplicates and late steps change nothing.
  await w.report('agent-1', dispatchId, m1[0] as string, CommandState.COMMAND_STATE_SUCCEEDED);
  await w.report('agent-1', dispatchId, m1[0] as string, CommandState.COMMAND_STATE_SUCCEEDED);
  await w.report('agent-1', dispatchId, m1[0] as string, CommandState.COMMAND_STATE_RUNNING);
  await w.report('agent-1', dispatchId, m1[0] as string, CommandState.COMMAND_STATE_FAILED);
  await w.settled();
  const row = (await w.targets(id)).find((r) => r.miner_id === m1[0]);
  t.match(row, { state: 'succeeded', version: 2 });
  t.equal(w.app.commandEngine.metrics.updatesIgnored, 3);
});

testEachDialect(
  'engine: rollout paces starts per site and aborts at the failure threshold',
  async (t, db) => {
    const w = await world(t, db);
    const miners = await w.agent('agent-1', w.a, undefined, 120);
    const id = await w.command(
      w.a,
      miners.map((minerId) => ({ agentId: 'agent-1', minerId })),
      { rollout_per_minute: 50, abort_threshold_pct: 10, abort_min_executed: 20 },
    );
    t.equal(await w.app.commandEngine.dispatchPass(), 50, 'the first minute: 50 starts');
    w.clock.now += 30_000;
    t.equal(await w.app.commandEngine.dispatchPass(), 0, 'none more within the same 60 s');
    w.clock.now += 31_000;
    t.equal(await w.app.commandEngine.dispatchPass(), 50, 'the next minute: 50 more');
    t.same(await w.states(id), { dispatched: 100, queued: 20 });

    const [first] = w.commands('agent-1') as [Command];
    // 18 succeed, then 2 fail: 2 of 20 executed is 10% -> abort.
    for (const minerId of first.minerIds.slice(0, 18)) {
      await w.report('agent-1', first.commandId, minerId, CommandState.COMMAND_STATE_SUCCEEDED);
    }
    await w.settled();
    t.match(await w.status(id), { status: 'active' });
    for (const minerId of first.minerIds.slice(18, 20)) {
      await w.report('agent-1', first.commandId, minerId, CommandState.COMMAND_STATE_FAILED, {
        errorCode: 'MINER_X',
      });
    }
    await w.settled();
    const status = await w.status(id);
    t.equal(status.status, 'aborted');
    t.match(status.status_reason, /2 of 20/);
    t.same(
      await w.states(id),
      { succeeded: 18, failed: 2, cancelled: 20, dispatched: 80 },
      'queued ones cancelled',
    );
    const cancels = w.commands('agent-1').filter((c) => c.action === 'cancel');
    t.equal(cancels.length, 2, 'a CancelCommand per earlier dispatch');
    t.same(
      cancels.map((c) => c.cancel?.commandId).sort(),
      w
        .commands('agent-1')
        .filter((c) => c.action === 'reboot')
        .map((c) => c.commandId)
        .sort(),
    );
    t.equal(
      cancels.reduce((n, c) => n + c.minerIds.length, 0),
      80,
      'naming every target not yet reported',
    );
    w.clock.now += 61_000;
    t.equal(await w.app.commandEngine.dispatchPass(), 0, 'an aborted command sends nothing more');

    // The agent reports the cancelled targets under the earlier dispatch id.
    const second = cancels.find((c) => c.cancel?.commandId !== first.commandId) as Command;
    for (const minerId of second.minerIds) {
      await w.report(
        'agent-1',
        second.cancel?.commandId as string,
        minerId,
        CommandState.COMMAND_STATE_CANCELLED,
      );
    }
    // The cancel's own SUCCEEDED per miner is acknowledged, not applied to targets.
    await w.report(
      'agent-1',
      second.commandId,
      second.minerIds[0] as string,
      CommandState.COMMAND_STATE_SUCCEEDED,
    );
    await w.settled();
    t.same(await w.states(id), { succeeded: 18, failed: 2, cancelled: 70, dispatched: 30 });
  },
);

testEachDialect(
  'engine: no dispatch without a matching approval; expiry and timeouts by the sweeper',
  async (t, db) => {
    const w = await world(t, db);
    const miners = await w.agent('agent-1', w.a, undefined, 4);
    const awaiting = await w.command(w.a, [{ agentId: 'agent-1', minerId: miners[0] as string }], {
      status: 'awaiting_approval',
      requires_approval: 1,
    });
    const forged = await w.command(w.a, [{ agentId: 'agent-1', minerId: miners[1] as string }], {
      requires_approval: 1,
      approved_by: w.a.users.owner.id,
      approved_at: T0,
      approved_hash: 'f'.repeat(64),
    });
    t.equal(
      await w.app.commandEngine.dispatchPass(),
      0,
      'awaiting approval, or approved for something else: not sent',
    );
    t.equal(w.sent.length, 0);
    const approved = await w.command(w.a, [{ agentId: 'agent-1', minerId: miners[2] as string }], {
      requires_approval: 1,
      approved_by: w.a.users.owner.id,
      approved_at: T0,
      approved_hash: 'valid',
    });
    t.equal(await w.app.commandEngine.dispatchPass(), 1, 'an approval of exactly this command: sent');
    t.same(await w.states(approved), { dispatched: 1 });

    const running = await w.command(w.a, [{ agentId: 'agent-1', minerId: miners[3] as string }], {
      expires_at: T0 + 10_000,
      effect_timeout_s: 30,
    });
    await w.app.commandEngine.dispatchPass();
    const msg = w.commands('agent-1').at(-1) as Command;
    await w.report('agent-1', msg.commandId, miners[3] as string, CommandState.COMMAND_STATE_RUNNING);
    await w.settled();

    w.clock.now = T0 + 700_000; // every command expired, its effect timeout (60 s) and the grace (1 s) passed
    const swept = await w.app.commandEngine.sweepPass();
    t.same(await w.states(awaiting), { expired: 1 });
    t.match(await w.status(awaiting), { status: 'expired' });
    t.same(await w.states(forged), { expired: 1 }, 'never sent, now expired');
    t.same(await w.states(approved), { expired: 1 }, 'held by the agent, no report: expired');
    t.match((await w.targets(approved))[0], { error_code: 'COMMANDS_NO_REPORT' });
    t.same(await w.states(running), { timed_out: 1 }, 'started, no outcome: timed out');
    t.match(await w.status(running), { status: 'finished' });
    t.match(swept, { expired: 3, timedOut: 1 });
  },
);

testEachDialect(
  'engine: a dispatch interrupted before the broker took it is sent again, byte for byte',
  async (t, db) => {
    const w = await world(t, db);
    const miners = await w.agent('agent-1', w.a, undefined, 2);
    const id = await w.command(
      w.a,
      miners.map((minerId) => ({ agentId: 'agent-1', minerId })),
    );
    await w.app.commandEngine.dispatchPass();
    const original = w.sent.find((s) => s.kind === 'command')?.bytes as Uint8Array;
    // As a crash between claim and PUBACK leaves it: claimed, stored, not published, targets still queued.
    await db
      .updateTable('command_dispatch')
      .set({ published_at: null })
      .where('command_id', '=', id)
      .execute();
    await db
      .updateTable('command_target')
      .set({ state: 'queued', dispatched_at: null })
      .where('command_id', '=', id)
      .execute();
    t.equal(await w.app.commandEngine.dispatchPass(), 0, 'claimed targets are not planned again');
    w.clock.now += 2000;
    t.match(await w.app.commandEngine.sweepPass(), { resent: 1 });
    const again = w.sent.filter((s) => s.kind === 'command');
    t.equal(again.length, 2);
    t.same(
      Buffer.from(again[1]?.bytes as Uint8Array),
      Buffer.from(original),
      'identical bytes: the agent dedupes',
    );
    t.same(await w.states(id), { dispatched: 2 });
  },
);

testEachDialect(
  'engine: a login rotation seals the pending login first, activates it only on success',
  async (t, db) => {
    const w = await world(t, db);
    const [m0, m1] = (await w.agent('agent-1', w.a, undefined, 2)) as [string, string];
    const stage = (minerId: string, password: string) =>
      w.app.vault.stagePending(w.a.tenantId, { kind: 'miner', agentId: 'agent-1', minerId }, 'web', {
        username: 'root',
        password,
      });
    const r0 = await stage(m0, 'new-password-0');
    const r1 = await stage(m1, 'new-password-1');
    const id = await w.command(
      w.a,
      [
        { agentId: 'agent-1', minerId: m0, credential: { id: r0.credentialId, version: r0.version } },
        { agentId: 'agent-1', minerId: m1, credential: { id: r1.credentialId, version: r1.version } },
      ],
      {
        type: 'update_credentials',
        params: JSON.stringify({ purpose: 'web', username: 'root', generated: false }),
      },
    );
    await w.app.commandEngine.dispatchPass();
    const kinds = w.sent.map((s) => s.kind);
    t.same(kinds, ['credential', 'command', 'credential', 'command'], 'each sealed login before its command');
    const box = w.boxes.get('agent-1');
    const sealed = verifySealedCredential(w.sent[0]?.bytes as Uint8Array, box as never, w.keys);
    const msgs = w.commands('agent-1');
    t.equal(msgs.length, 2, 'one message per target: each carries its own login version');
    t.same(
      msgs.map((m) => [
        m.minerIds[0],
        m.updateCredentials?.credentialId,
        m.updateCredentials?.credentialVersion,
      ]),
      [
        [m0, r0.credentialId, r0.version],
        [m1, r1.credentialId, r1.version],
      ],
    );
    t.equal(sealed.credentialId, r0.credentialId);
    for (const payload of w.sent)
      t.notOk(Buffer.from(payload.bytes).includes('new-password'), 'no plaintext on MQTT');

    await w.report('agent-1', (msgs[0] as Command).commandId, m0, CommandState.COMMAND_STATE_SUCCEEDED);
    await w.report('agent-1', (msgs[1] as Command).commandId, m1, CommandState.COMMAND_STATE_FAILED);
    await w.settled();
    const versions = await sql<{ credential_id: string; state: string }>`
    select credential_id, state from credential_version where credential_id in (${r0.credentialId}, ${r1.credentialId})`.execute(
      db,
    );
    const stateOf = (credentialId: string) =>
      versions.rows.filter((r) => r.credential_id === credentialId).map((r) => r.state);
    t.same(stateOf(r0.credentialId), ['active'], 'confirmed: active');
    t.notOk(stateOf(r1.credentialId).includes('pending'), 'failed: the pending login is dropped');
    t.same(await w.states(id), { succeeded: 1, failed: 1 });
  },
);

testEachDialect('engine: targets of an agent without keys or revoked fail at once', async (t, db) => {
  const w = await world(t, db);
  const [m0] = (await w.agent('agent-1', w.a, undefined, 1)) as [string];
  const [m1] = (await w.agent('agent-2', w.a, undefined, 1)) as [string];
  await db.updateTable('agent').set({ revoked_at: T0 }).where('id', '=', 'agent-1').execute();
  await db.updateTable('agent').set({ box_public_key: null }).where('id', '=', 'agent-2').execute();
  const id = await w.command(w.a, [
    { agentId: 'agent-1', minerId: m0 },
    { agentId: 'agent-2', minerId: m1 },
  ]);
  t.equal(await w.app.commandEngine.dispatchPass(), 0);
  const rows = await w.targets(id);
  t.same(
    rows.map((r) => [r.state, r.error_code]),
    [
      ['failed', 'COMMANDS_AGENT_REVOKED'],
      ['failed', 'COMMANDS_AGENT_NO_KEYS'],
    ],
  );
  t.match(await w.status(id), { status: 'finished' });
  t.equal(w.sent.length, 0);
});

testEachDialect(
  'engine: two engines on one database claim each target once and keep the rate',
  async (t, db) => {
    const w = await world(t, db);
    const logs = captureLogs();
    const broker2 = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
    const app2 = await buildApp({
      db,
      broker: broker2,
      jwtSecret: JWT_SECRET,
      logger: logs.logger,
      now: () => w.clock.now,
      commandEngine: { timers: false },
    });
    t.teardown(async () => {
      await app2.close();
      await broker2.close();
    });
    await app2.ready();
    const miners = await w.agent('agent-1', w.a, undefined, 80);
    const id = await w.command(
      w.a,
      miners.map((minerId) => ({ agentId: 'agent-1', minerId })),
      {
        rollout_per_minute: 30,
      },
    );
    const [x, y] = await Promise.all([w.app.commandEngine.dispatchPass(), app2.commandEngine.dispatchPass()]);
    t.equal(x + y, 30, `at most 30 started per minute across instances (${x} + ${y})`);
    const claimed = await db
      .selectFrom('command_target')
      .select('miner_id')
      .where('command_id', '=', id)
      .where('dispatch_id', 'is not', null)
      .execute();
    t.equal(claimed.length, 30);
    const dispatches = await db
      .selectFrom('command_dispatch')
      .select('miner_ids')
      .where('command_id', '=', id)
      .execute();
    const named = dispatches.flatMap((d) => JSON.parse(d.miner_ids) as string[]);
    t.equal(new Set(named).size, named.length, 'no miner in two dispatches');
  },
);

testEachDialect(
  'engine: an agent coming back gets again, byte for byte, the dispatches it never acknowledged',
  async (t, db) => {
    const w = await world(t, db);
    const m1 = await w.agent('agent-1', w.a, undefined, 2);
    const m2 = await w.agent('agent-2', w.a, undefined, 1);
    const id = await w.command(
      w.a,
      [...m1, ...m2].map((minerId) => ({ agentId: minerId.slice(0, 7), minerId })),
    );
    t.equal(await w.app.commandEngine.dispatchPass(), 3);
    const first = w.sent.filter((s) => s.kind === 'command' && s.agentId === 'agent-1');
    t.equal(first.length, 1);
    // agent-2 acknowledged its target; agent-1 was away (clean session) and never saw its message.
    const [other] = w.commands('agent-2') as [Command];
    await w.report('agent-2', other.commandId, m2[0] as string, CommandState.COMMAND_STATE_RECEIVED);
    await w.settled();

    const { recordEvent } = await import('../../../platform/index.js');
    const online = async (agentId: string) => {
      await recordEvent(db, { type: 'agent.online', tenantId: w.a.tenantId, payload: { agentId } });
      await w.app.platform.events.relayOnce();
      for (let i = 0; i < 50; i++) await w.settled();
    };
    await online('agent-1');
    const again = w.sent.filter((s) => s.kind === 'command' && s.agentId === 'agent-1');
    t.equal(again.length, 2, 'sent again on its birth');
    t.same(
      Buffer.from(again[1]?.bytes ?? []),
      Buffer.from(first[0]?.bytes ?? []),
      'the same bytes: a replay to an agent that has it',
    );
    await online('agent-2');
    t.equal(w.commands('agent-2').length, 1, 'an acknowledged dispatch is not sent again');

    // Once agent-1 acknowledges, or the command is no longer active, a birth sends nothing.
    const [msg] = w.commands('agent-1') as [Command];
    for (const minerId of m1)
      await w.report('agent-1', msg.commandId, minerId, CommandState.COMMAND_STATE_RECEIVED);
    await w.settled();
    await online('agent-1');
    t.equal(w.commands('agent-1').length, 2, 'nothing more after it acknowledged');
    t.same(await w.states(id), { received: 3 });
  },
);

testEachDialect(
  'engine: a cancel while a dispatch is being sent never lets the run out; its targets end cancelled',
  async (t, db) => {
    const w = await world(t, db);
    const miners = await w.agent('agent-1', w.a, undefined, 2);
    const id = await w.command(
      w.a,
      miners.map((minerId) => ({ agentId: 'agent-1', minerId })),
    );
    await w.app.commandEngine.dispatchPass();
    // As the dispatcher leaves it between its claim and the PUBACK: claimed, stored, not published.
    await db
      .updateTable('command_dispatch')
      .set({ published_at: null })
      .where('command_id', '=', id)
      .execute();
    await db
      .updateTable('command_target')
      .set({ state: 'queued', dispatched_at: null })
      .where('command_id', '=', id)
      .execute();
    const runsBefore = w.commands('agent-1').filter((c) => c.action !== 'cancel').length;

    const token = await accessToken(w.app, db, w.a.users.admin);
    const cancel = await w.app.inject({
      method: 'POST',
      url: `/api/commands/${id}/cancel`,
      headers: bearer(token),
    });
    t.equal(cancel.statusCode, 200, cancel.body);
    t.match(
      cancel.json().data,
      { cancelled: 0, cancelRequested: 2 },
      'claimed targets are left to the engine',
    );
    t.same(await w.states(id), { queued: 2 }, 'not marked cancelled while a run may be on its way');
    t.equal(
      w.commands('agent-1').filter((c) => c.action === 'cancel').length,
      1,
      'the agent is asked to cancel them',
    );

    w.clock.now += 2000;
    await w.app.commandEngine.sweepPass();
    t.equal(
      w.commands('agent-1').filter((c) => c.action !== 'cancel').length,
      runsBefore,
      'the run is never sent again once the command is cancelled',
    );
    t.same(await w.states(id), { cancelled: 2 }, 'withdrawn: cancelled before it was sent');
    t.match((await w.targets(id))[0], { reason: 'cancelled before it was sent' });
    await w.app.commandEngine.sweepPass();
    t.ok((await w.status(id)).finished_at, 'the cancelled command is finished');
  },
);
