// The canary test of the credential vault: 100 credentials are set to unique canary strings (HI-CANARY-<uuid>) and
// the whole system runs through commands and polls with them — site logins the miners really use, password
// rotations the miners confirm, pool passwords that reach the miners, miner API logins that are only stored and
// sealed. Then every log line (cloud and agents), every byte between the agents and the broker, every HTTP answer
// and every row of every table (cloud and agents; the ciphertext columns aside) is searched for each canary in
// plain, base64, base64url, hex and URL-encoded forms: zero hits. Last, canaries planted on purpose through the
// same paths ARE found, so the zero means something.
import Database from 'better-sqlite3';
import t from 'tap';
import { type Hit, newCanary, SecretSearch } from './canary.js';
import {
  type CommandSystem,
  type CommandView,
  type SystemMiner,
  settle,
  startCommandSystem,
  submit,
  targetsOf,
} from './commands-harness.js';

const AGENTS = 2;
const MINERS_PER_AGENT = 10;
/** Columns that hold ciphertext (what the vault and the agent keep sealed), by table. */
const CIPHERTEXT: Record<string, string[]> = {
  credential_version: ['ciphertext'],
  vault_data_key: ['wrapped_key'],
  command_signing_key: ['private_key_wrapped'],
  miner: ['ip_enc'],
  sealed_credential: ['payload'],
};

/** Every value of every table of a SQLite file, the ciphertext columns aside, as one text per table. */
function dumpTables(path: string): Array<{ table: string; text: string; rows: number }> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as Array<{ name: string }>;
    return tables.map(({ name }) => {
      const skip = new Set(CIPHERTEXT[name] ?? []);
      const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>;
      const parts: string[] = [];
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          if (skip.has(column) || value === null) continue;
          parts.push(value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : String(value));
        }
      }
      return { table: name, text: parts.join('\u0000'), rows: rows.length };
    });
  } finally {
    db.close();
  }
}

/** Every place a secret could have leaked to, searched. */
function searchEverything(system: CommandSystem, search: SecretSearch): Hit[] {
  const hits: Hit[] = [];
  hits.push(...search.scan('logs', system.capture.logs.join('\n')));
  hits.push(...search.scan('http', system.capture.http.join('\n')));
  for (const node of system.agents) {
    hits.push(...search.scan(`mqtt to agent ${node.index}`, Buffer.concat(node.tap.raw.down)));
    hits.push(...search.scan(`mqtt from agent ${node.index}`, Buffer.concat(node.tap.raw.up)));
    for (const { table, text } of dumpTables(`${node.dataDir}/agent.sqlite`)) {
      hits.push(...search.scan(`agent ${node.index} db ${table}`, text));
    }
  }
  for (const { table, text } of dumpTables(system.cloudDb)) {
    hits.push(...search.scan(`cloud db ${table}`, text));
  }
  return hits;
}

/** Sends a command as one of the `requesters` in turn (the owner approves when asked); its id. */
let turn = 0;
const dispatch = (system: CommandSystem, requesters: string[], body: Record<string, unknown>) =>
  submit(system, body, { token: requesters[turn++ % requesters.length] as string });

// Whole-system scenarios take minutes on a shared 2-vCPU box: more than the suite's 120 s per file.
t.setTimeout(600_000);

t.test('100 canary credentials leak nowhere', { timeout: 240_000 }, async (t) => {
  const canaries: string[] = [];
  const canary = () => {
    const value = newCanary();
    canaries.push(value);
    return value;
  };
  const siteLogins = Array.from({ length: AGENTS }, () => ({ username: 'root', password: canary() }));
  const system = await startCommandSystem(t, {
    agents: AGENTS,
    minersPerAgent: MINERS_PER_AGENT,
    personalities: ['antminer'],
    models: ['Antminer S19 Pro'],
    httpPort: 80,
    credentials: (index) => siteLogins[index] as { username: string; password: string },
    pollIntervalMs: 1000,
  });
  // 81 commands: more than one operator may send in a few minutes (30 a minute each), so four share them and the
  // owner approves.
  const requesters = await Promise.all([1, 2, 3, 4].map((n) => system.operator(`op${n}@canary.test`)));
  const miners = await system.miners();
  t.equal(miners.length, AGENTS * MINERS_PER_AGENT);

  // 2 canaries: each site's default web login, the one its miners start with.
  for (const node of system.agents) {
    await system.ok('PUT', '/api/credentials', {
      token: system.owner,
      body: { scope: { kind: 'site', siteId: node.siteId }, purpose: 'web', ...siteLogins[node.index] },
    });
  }

  const settleAll = async (ids: string[]) => {
    const done: CommandView[] = [];
    for (const id of ids) done.push(await settle(system, id, { timeoutMs: 60_000 }));
    return done;
  };
  const allSucceeded = (views: CommandView[]) =>
    views.every((v) => v.targets.every((x) => x.state === 'succeeded'));

  // Two rounds over every miner: a rotation of its web password, then a pool with a password: 80 canaries.
  const pools = new Map<SystemMiner, string>();
  for (const round of [1, 2]) {
    const rotations = await settleAll(
      await Promise.all(
        miners.map((miner) =>
          dispatch(system, requesters, {
            type: 'update_credentials',
            targets: targetsOf([miner]),
            params: { purpose: 'web', username: 'root', password: canary() },
          }),
        ),
      ),
    );
    t.ok(allSucceeded(rotations), `round ${round}: every miner confirmed its new password`);
    const poolIds = await Promise.all(
      miners.map((miner) => {
        const password = canary();
        pools.set(miner, password);
        return dispatch(system, requesters, {
          type: 'set_pools',
          targets: targetsOf([miner]),
          params: {
            pools: [{ url: `stratum+tcp://canary.pool.test:${3330 + round}`, user: 'canary.w1', password }],
          },
        });
      }),
    );
    t.ok(allSucceeded(await settleAll(poolIds)), `round ${round}: every miner runs its new pool`);
  }
  // 18 canaries: API logins stored per miner, sealed to their agents, never needed by these miners.
  for (const miner of miners.slice(0, 100 - canaries.length)) {
    await system.ok('PUT', '/api/credentials', {
      token: system.owner,
      body: {
        scope: { kind: 'miner', agentId: miner.agentId, minerId: miner.minerId },
        purpose: 'api',
        username: 'admin',
        password: canary(),
      },
    });
  }
  t.equal(canaries.length, 100, '100 canary credentials');
  // The rotated logins are the ones in use now: a reboot and more polls with them.
  const reboot = await dispatch(system, requesters, {
    type: 'reboot',
    targets: targetsOf(miners.slice(0, 2)),
  });
  t.ok(allSucceeded(await settleAll([reboot])), 'a reboot with the rotated logins');
  await system.ok('GET', '/api/credentials', { token: system.owner });
  for (const miner of miners) {
    const pool = miner.virtual.state().pools.find((p) => p.active);
    t.equal(pool?.password, pools.get(miner), `${miner.ip}: its canary pool password reached the miner`);
  }

  const search = new SecretSearch(canaries);
  const hits = searchEverything(system, search);
  t.same(hits, [], `no canary anywhere (${search.scanned.sources} sources, ${search.scanned.bytes} bytes)`);
  t.ok(system.capture.logs.length > 100, `logs were captured (${system.capture.logs.length} lines)`);

  // The search sees each source: canaries planted through the same paths are found there.
  const planted = newCanary();
  await system.call('POST', '/api/sites', { token: system.owner, body: { name: planted } }); // HTTP + cloud db
  await system.call('GET', `/api/miners?q=${encodeURIComponent(planted)}`, { token: system.owner }); // request log
  const node = system.agents[0];
  if (!node) throw new Error('no agent');
  node.tap.inject(`hashinsight/v1/agent/${node.agentId}/command`, Buffer.from(planted)); // MQTT + agent db
  await new Promise((r) => setTimeout(r, 1000));
  const found = searchEverything(system, new SecretSearch([planted]));
  const sources = (prefix: string) => found.some((hit) => hit.source.startsWith(prefix));
  t.ok(sources('http'), 'a planted canary is found in the HTTP answers');
  t.ok(sources('cloud db site'), 'in the cloud database');
  t.ok(sources('logs'), 'in the logs');
  t.ok(sources('mqtt to agent 0'), 'in the MQTT bytes');
  t.ok(sources('agent 0 db command_refusal'), "in the agent's database");
});
