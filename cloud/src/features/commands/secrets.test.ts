// Commands that carry secrets (set_pools with pool passwords, update_credentials): the secret goes to the vault
// and never into a command table, an answer or a log line; each target gets its own pending login; a cancel
// drops the pending logins; the same password requested twice is still one command by its idempotency key.
import { sql } from 'kysely';
import t from 'tap';
import { buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';
import { GENERATED_LENGTH, generatePassword, loginPasswordProblem } from './params.js';

const POOL_SECRET = 'HI-POOL-9f3c2a71-secret';
const LOGIN_SECRET = 'HI-LOGIN-5b8e0d44-secret';

/** The forms a leaked secret could take in a row or a line. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [
    secret,
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    encodeURIComponent(secret),
  ];
}

async function dumpCommandTables(db: Db): Promise<string> {
  const parts: string[] = [];
  for (const table of ['command', 'command_target', 'command_dispatch', 'command_idempotency', 'audit_log']) {
    const rows = await sql`select * from ${sql.table(table)}`.execute(db);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join('\n');
}

testEachDialect('commands with secrets: vault references only, per-target pending logins', async (t, db) => {
  const a = await seedTenant(db, 'a');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  for (let i = 0; i < 10; i++) {
    await insertMiner(db, { agentId: 'agent-a', id: `m${i}`, tenantId: a.tenantId, siteId: a.siteId });
  }
  await db.updateTable('miner').set({ capabilities: '["set-pools","set-login"]' }).execute();
  const logs = captureLogs();
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  const app = await buildApp({
    db,
    broker,
    jwtSecret: JWT_SECRET,
    logger: logs.logger,
    commandEngine: { timers: false },
  });
  app.commandEngine.kick = () => undefined;
  t.teardown(async () => {
    await app.close();
    await broker.close();
  });
  const staff = await accessToken(app, db, a.users.mining_site);
  const answers: string[] = [];
  const post = async (payload: object, key: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(staff), 'idempotency-key': key },
      payload,
    });
    answers.push(response.body);
    return response;
  };

  const pools = {
    type: 'set_pools',
    targets: { minerIds: ['m0'] },
    params: {
      pools: [
        { url: 'stratum+tcp://pool.example:3333', user: 'site.w1', password: POOL_SECRET },
        { url: 'stratum+tcp://backup.example:3333', user: 'site.w1' },
      ],
    },
  };
  const created = await post(pools, 'pools-1');
  t.equal(created.statusCode, 201, created.body);
  const stored = JSON.parse(
    (
      await db
        .selectFrom('command')
        .select('params')
        .where('id', '=', created.json().data.id)
        .executeTakeFirstOrThrow()
    ).params,
  );
  t.match(stored.pools[0], {
    url: 'stratum+tcp://pool.example:3333',
    user: 'site.w1',
    password: { credentialId: String, version: 1 },
  });
  t.notOk('password' in stored.pools[1], 'no password, no reference');
  t.equal(
    (await post(pools, 'pools-1')).json().data.id,
    created.json().data.id,
    'same key and body: same command',
  );
  t.equal(
    (
      await post(
        { ...pools, params: { pools: [{ ...pools.params.pools[0], password: `${POOL_SECRET}x` }] } },
        'pools-1',
      )
    ).statusCode,
    422,
    'a different password is a different body',
  );

  const rotate = await post(
    {
      type: 'update_credentials',
      targets: { minerIds: ['m1', 'm2', 'm3'] },
      params: { purpose: 'web', username: 'root', password: LOGIN_SECRET },
    },
    'rotate-1',
  );
  t.equal(rotate.statusCode, 201, rotate.body);
  t.match(rotate.json().data, {
    status: 'awaiting_approval',
    params: { purpose: 'web', username: 'root', generated: false },
  });
  const targets = await db
    .selectFrom('command_target')
    .select(['miner_id', 'credential_id', 'credential_version'])
    .where('command_id', '=', rotate.json().data.id)
    .orderBy('miner_id')
    .execute();
  t.equal(targets.length, 3);
  t.equal(new Set(targets.map((x) => x.credential_id)).size, 3, 'a credential per miner');
  t.ok(targets.every((x) => x.credential_id !== null && x.credential_version !== null));
  const pendingStates = async () =>
    (
      await sql<{ state: string }>`select state from credential_version where credential_id in (${sql.join(
        targets.map((x) => x.credential_id),
      )})`.execute(db)
    ).rows.map((row) => row.state);
  t.same(await pendingStates(), ['pending', 'pending', 'pending']);

  const generated = await post(
    {
      type: 'update_credentials',
      targets: { minerIds: ['m4', 'm5'] },
      params: { purpose: 'api', username: 'admin', generate: true },
    },
    'rotate-2',
  );
  t.equal(generated.statusCode, 201, generated.body);
  t.match(generated.json().data.params, { purpose: 'api', username: 'admin', generated: true });

  // A firmware's own password rule is checked before anything is staged: btminer takes 1-8 letters or digits.
  await db
    .updateTable('miner')
    .set({ driver: 'whatsminer-btminer' })
    .where('id', 'in', ['m6', 'm7'])
    .execute();
  const tooLong = await post(
    {
      type: 'update_credentials',
      targets: { minerIds: ['m6', 'm7'] },
      params: { purpose: 'api', username: 'admin', password: LOGIN_SECRET },
    },
    'rotate-3',
  );
  t.equal(tooLong.statusCode, 400, tooLong.body);
  t.match(tooLong.json(), { code: 'COMMANDS_PARAMS_INVALID', error: /agent-a\/m6.*1-8 letters or digits/ });
  t.notOk(tooLong.body.includes(LOGIN_SECRET), 'the refusal does not echo the password');
  const fits = await post(
    {
      type: 'update_credentials',
      targets: { minerIds: ['m6', 'm7'] },
      params: { purpose: 'api', username: 'admin', generate: true },
    },
    'rotate-4',
  );
  t.equal(fits.statusCode, 201, 'generated passwords fit the firmware');

  // Cancelling the unapproved rotation drops its pending logins.
  const cancel = await app.inject({
    method: 'POST',
    url: `/api/commands/${rotate.json().data.id}/cancel`,
    headers: bearer(staff),
  });
  t.same(cancel.json().data, { id: rotate.json().data.id, cancelled: 3, cancelRequested: 0 });
  t.notOk((await pendingStates()).includes('pending'), 'no pending version left');
  const over = await db
    .selectFrom('command')
    .select(['status', 'finished_at'])
    .where('id', '=', rotate.json().data.id)
    .executeTakeFirstOrThrow();
  t.equal(over.status, 'cancelled');
  t.ok(over.finished_at, 'nothing left open: finished at once');

  // Nowhere in the command tables, the audit log, the answers or the logs, in any usual encoding.
  const haystacks = {
    'command tables': await dumpCommandTables(db),
    answers: answers.join('\n'),
    logs: logs.text(),
  };
  for (const secret of [POOL_SECRET, LOGIN_SECRET]) {
    for (const form of encodings(secret)) {
      for (const [where, text] of Object.entries(haystacks)) {
        t.notOk(text.includes(form), `${secret} as ${form} not in ${where}`);
      }
    }
  }
  t.ok(haystacks['command tables'].includes('pool.example'), 'the dump itself is real');
});

t.test('generated passwords: unique, of the documented length and alphabet', async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) seen.add(generatePassword());
  t.equal(seen.size, 10_000);
  t.ok(
    [...seen].every((p) => p.length === GENERATED_LENGTH && /^[A-Za-z2-9]+$/.test(p) && !/[IOl01]/.test(p)),
  );
  const btminer = Array.from({ length: 1000 }, () => generatePassword('whatsminer-btminer'));
  t.ok(
    btminer.every((p) => loginPasswordProblem('whatsminer-btminer', p) === undefined && p.length === 8),
    'within btminer limit (8 letters or digits)',
  );
  t.equal(new Set(btminer).size, 1000);
  t.equal(
    loginPasswordProblem('whatsminer-btminer', 'abc-def'),
    'whatsminer-btminer takes 1-8 letters or digits',
  );
  t.equal(loginPasswordProblem('antminer-stock', LOGIN_SECRET), undefined, 'no rule known: any password');
});
