// GET /api/commands filters on every dialect: by stored status (the approval inbox), by a miner the commands target,
// by creator; pages stay correct under filters, cursors are bound to the filters, and no filter reaches across
// tenants.
import type { Test } from 'tap';
import { buildApp } from '../../app.js';
import type { Db } from '../../db/index.js';
import { createEmbeddedBroker } from '../../plugins/broker.js';
import { testEachDialect } from '../../test/databases.js';
import { insertAgent, insertMiner } from '../../test/fleet.js';
import { captureLogs, JWT_SECRET } from '../../test/helpers.js';
import { accessToken, bearer, seedTenant } from '../../test/identities.js';

async function appOver(t: Test, db: Db) {
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
  return app;
}

let keySeq = 0;

testEachDialect('list: filters by status, miner and creator, paged, per tenant', async (t, db) => {
  const a = await seedTenant(db, 'a');
  const b = await seedTenant(db, 'b');
  await insertAgent(db, { id: 'agent-a', tenantId: a.tenantId, siteId: a.siteId });
  await insertAgent(db, { id: 'agent-b', tenantId: b.tenantId, siteId: b.siteId });
  for (let i = 0; i < 10; i++)
    await insertMiner(db, { agentId: 'agent-a', id: `m0${i}`, tenantId: a.tenantId, siteId: a.siteId });
  await insertMiner(db, { agentId: 'agent-b', id: 'm00', tenantId: b.tenantId, siteId: b.siteId });
  await db.updateTable('miner').set({ capabilities: '["reboot","led"]' }).execute();
  const app = await appOver(t, db);
  const staff = await accessToken(app, db, a.users.mining_site);
  const admin = await accessToken(app, db, a.users.admin);
  const other = await accessToken(app, db, b.users.admin);
  const create = async (token: string, payload: object) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/commands',
      headers: { ...bearer(token), 'idempotency-key': `list-${++keySeq}` },
      payload,
    });
    t.equal(response.statusCode, 201, response.body.slice(0, 200));
    return response.json().data.id as string;
  };
  const c1 = await create(staff, { type: 'reboot', targets: { minerIds: ['m00', 'm01'] } });
  const c2 = await create(admin, { type: 'reboot', targets: { minerIds: ['m02'] } });
  const c3 = await create(staff, { type: 'reboot', targets: { siteId: a.siteId } });
  const c4 = await create(admin, { type: 'led', targets: { minerIds: ['m00'] }, params: { on: true } });
  const c5 = await create(other, { type: 'reboot', targets: { minerIds: ['m00'] } });

  const list = async (query: string, token = admin) => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/commands?${query}`,
      headers: bearer(token),
    });
    t.equal(response.statusCode, 200, `${query}: ${response.body.slice(0, 200)}`);
    const data = response.json().data as {
      commands: { id: string; status: string }[];
      nextCursor: string | null;
    };
    return { ids: data.commands.map((c) => c.id), nextCursor: data.nextCursor, commands: data.commands };
  };

  const inbox = await list('status=awaiting_approval');
  t.same(inbox.ids, [c3], 'the approval inbox: the site-wide reboot only');
  t.equal(inbox.commands[0]?.status, 'awaiting_approval');
  t.same((await list('status=active')).ids, [c4, c2, c1]);
  t.same((await list('agentId=agent-a&minerId=m00')).ids, [c4, c3, c1], 'every command with a target on m00');
  t.same((await list('agentId=agent-a&minerId=m02')).ids, [c3, c2]);
  t.same((await list('agentId=agent-a&minerId=m09')).ids, [c3]);
  t.same((await list('agentId=agent-a&minerId=nope')).ids, []);
  t.same((await list(`createdBy=${a.users.admin.id}`)).ids, [c4, c2]);
  t.same((await list('status=active&agentId=agent-a&minerId=m00')).ids, [c4, c1], 'filters combine');

  // Tenancy: B's miner has the same id as A's m00; neither tenant sees the other's commands through a filter.
  t.same((await list('agentId=agent-b&minerId=m00')).ids, [], "A naming B's miner: nothing");
  t.same((await list('agentId=agent-a&minerId=m00', other)).ids, [], "B naming A's miner: nothing");
  // B's one miner is all of its site: its reboot awaits approval too, in B's inbox only.
  t.same((await list('status=awaiting_approval', other)).ids, [c5], "B's inbox holds B's command only");
  t.same((await list('agentId=agent-b&minerId=m00', other)).ids, [c5]);
  t.same((await list(`createdBy=${a.users.admin.id}`, other)).ids, [], "A's operator made nothing in B");

  // Paging under a filter: one at a time, in order, to the end.
  const seen: string[] = [];
  let cursor: string | null = null;
  const cursors: string[] = [];
  do {
    const page: Awaited<ReturnType<typeof list>> = await list(
      `agentId=agent-a&minerId=m00&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    seen.push(...page.ids);
    cursor = page.nextCursor;
    if (cursor !== null) cursors.push(cursor);
  } while (cursor !== null && seen.length < 10);
  t.same(seen, [c4, c3, c1], 'the filtered pages hold each match once');
  t.equal(cursors.length, 2);
  const unfiltered = await list('limit=2');
  t.same(unfiltered.ids, [c4, c3]);
  t.same((await list(`limit=2&cursor=${unfiltered.nextCursor}`)).ids, [c2, c1]);

  const refused = async (query: string, code = 'VALIDATION_FAILED') => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/commands?${query}`,
      headers: bearer(admin),
    });
    t.equal(response.statusCode, 400, `${query.slice(0, 80)}: ${response.body.slice(0, 200)}`);
    t.equal(response.json().code, code, query.slice(0, 80));
  };
  // A cursor answers only the filters it was made for.
  await refused(`status=active&limit=1&cursor=${cursors[0]}`, 'COMMANDS_CURSOR_INVALID');
  await refused(`limit=1&cursor=${cursors[0]}`, 'COMMANDS_CURSOR_INVALID');
  await refused(`agentId=agent-a&minerId=m00&cursor=${unfiltered.nextCursor}`, 'COMMANDS_CURSOR_INVALID');
  await refused(`agentId=agent-a&minerId=m01&cursor=${cursors[0]}`, 'COMMANDS_CURSOR_INVALID');
  await refused(`cursor=${c1}`, 'COMMANDS_CURSOR_INVALID');
  await refused(`cursor=${Buffer.from('{"i":5,"f":"x"}').toString('base64url')}`, 'COMMANDS_CURSOR_INVALID');
  await refused(`cursor=${Buffer.from('[1,2]').toString('base64url')}`, 'COMMANDS_CURSOR_INVALID');
  await refused(`cursor=${'x'.repeat(257)}`);
  // A miner is named by both ids; bad values.
  await refused('agentId=agent-a');
  await refused('minerId=m00');
  await refused('status=in_progress');
  await refused(`agentId=agent-a&minerId=${'x'.repeat(129)}`);
  await refused('agentId=&minerId=m00');
  await refused(`createdBy=${'x'.repeat(65)}`);
  await refused('status=active&extra=1');

  const customer = await accessToken(app, db, a.users.customer);
  const asCustomer = await app.inject({
    method: 'GET',
    url: '/api/commands?agentId=agent-a&minerId=m00',
    headers: bearer(customer),
  });
  t.equal(asCustomer.statusCode, 403, 'hosting clients see no commands, filtered or not');
});
