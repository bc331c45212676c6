import { ipToBytes } from '@hashinsight/protocol';
import t, { type Test } from 'tap';
import type { Db } from '../../db/index.js';
import { migratedTestDatabase, postgresSkip } from '../../test/databases.js';
import { enrollTestAgent, sample } from '../../test/helpers.js';
import { vaultIpCiphers } from '../../test/ip-keys.js';
import { ipLookupOf, revealIp } from '../miners/index.js';
import { ingestTelemetry } from './service.js';

// The SQLite group-commit writer and the PostgreSQL writer are separate SQL: the same messages must leave the
// same rows in both. One scenario with duplicates, a gap, a backfill, identity changes, late samples, a skipped
// range and two agents, then every table the ingest writes is compared row by row.

const NOW = 1_795_000_500_000;
const MIN = 60_000;

const at = (seq: number, minerId: string, timeMs: number, overrides: Record<string, unknown> = {}) =>
  sample(seq, { minerId, timeMs, identity: null, ...overrides });

const identity = (minerId: string, ip: string) => ({ ...sample(0).identity, minerId, ip: ipToBytes(ip) });

const messages: [string, Record<string, unknown>][] = [
  // m1 with identity, m2 without (an unknown identity), one sample an hour late.
  [
    'agent-1',
    {
      epoch: 1,
      samples: [
        at(1, 'm1', NOW - 3 * MIN, { identity: identity('m1', '10.0.0.1') }),
        at(2, 'm2', NOW - 3 * MIN, { powerW: null, pollError: 'timeout', status: 4, boards: [], pools: [] }),
        at(3, 'm1', NOW - 2 * MIN),
        at(4, 'm2', NOW - 70 * MIN),
      ],
    },
  ],
  // Resent seqs 3-4 with other content, then 5: only 5 is new.
  ['agent-1', { epoch: 1, samples: [at(3, 'm1', NOW), at(4, 'm2', NOW), at(5, 'm1', NOW - MIN)] }],
  // A gap (6 missing): stored, the mark stays at 5.
  ['agent-1', { epoch: 1, samples: [at(7, 'm2', NOW - MIN, { hashrateMhs: 7 }), at(8, 'm1', NOW)] }],
  // The gap replayed as an old sample (backfill): m2's latest must stay the newer one (seq 7).
  ['agent-1', { epoch: 1, historical: true, samples: [at(6, 'm2', NOW - 5 * 60 * MIN, { hashrateMhs: 6 })] }],
  // New epoch: m1's identity changes, m3 appears; the agent says it holds nothing below seq 10.
  [
    'agent-1',
    {
      epoch: 2,
      oldestUnackedSeq: 10,
      samples: [
        at(10, 'm1', NOW + MIN, { identity: identity('m1', '10.0.0.99') }),
        at(11, 'm3', NOW + MIN, { identity: identity('m3', '192.168.1.3') }),
      ],
    },
  ],
  // Another agent with a miner of the same id.
  ['agent-2', { epoch: 5, samples: [at(1, 'm1', NOW - 30 * MIN, { identity: identity('m1', '10.1.0.1') })] }],
  // Everything again: all duplicates.
  ['agent-2', { epoch: 5, samples: [at(1, 'm1', NOW)] }],
];

const byJson = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).sort();

async function run(t: Test, db: Db) {
  for (const agent of ['agent-1', 'agent-2']) await enrollTestAgent(db, agent);
  const tenancy = await db
    .selectFrom('agent')
    .select(['tenant_id', 'site_id'])
    .where('id', '=', 'agent-1')
    .executeTakeFirstOrThrow();
  const ips = await vaultIpCiphers(t, db);
  const cipher = await ips.get(tenancy.tenant_id ?? '');
  const outcomes = [];
  for (const [agentId, batch] of messages) outcomes.push(await ingestTelemetry(db, agentId, batch, NOW, ips));
  return {
    outcomes,
    // Tenant and site ids are generated per database: compared as "the agent's". Sealed addresses and blind
    // indexes differ per database (random IVs, per-tenant keys): compared by what they open to and name.
    miner: byJson(
      (await db.selectFrom('miner').selectAll().execute()).map((row) => {
        const ip = revealIp(cipher, row.agent_id, row.id, row.ip_enc);
        const named = (index: string, term: string) =>
          index === ''
            ? ''
            : index === ipLookupOf(cipher, term)?.value
              ? `index of ${term}`
              : 'another index';
        return {
          ...row,
          tenant_id: row.tenant_id === tenancy.tenant_id ? "the agent's" : row.tenant_id,
          site_id: row.site_id === tenancy.site_id ? "the agent's" : row.site_id,
          site_key: row.site_key === tenancy.site_id ? "the agent's" : row.site_key,
          ip_enc: ip,
          ip_index: named(row.ip_index, ip),
          ip_net_index: named(row.ip_net_index, ip.split('.').slice(0, 3).join('.')),
        };
      }),
    ),
    miner_latest: byJson(await db.selectFrom('miner_latest').selectAll().execute()),
    miner_sample: byJson(await db.selectFrom('miner_sample').selectAll().execute()),
    telemetry_stream: byJson(await db.selectFrom('telemetry_stream').selectAll().execute()),
    telemetry_rollup_dirty: byJson(await db.selectFrom('telemetry_rollup_dirty').selectAll().execute()),
    agent: byJson(await db.selectFrom('agent').select(['id', 'last_seen_at']).execute()),
  };
}

t.test(
  'the same messages leave the same rows on SQLite and PostgreSQL',
  { skip: postgresSkip },
  async (t) => {
    const sqlite = await run(t, await migratedTestDatabase(t, 'sqlite'));
    const postgres = await run(t, await migratedTestDatabase(t, 'postgres'));
    // A sanity check that the scenario did what it says before comparing.
    t.same(
      sqlite.outcomes.map((o) => [o.upToSeq, o.applied, o.duplicates]),
      [
        [4, 4, 0],
        [5, 1, 2],
        [5, 2, 0],
        [6, 1, 0], // the mark moves through the batch's own seqs only: 7 and 8 come again
        [11, 2, 0],
        [1, 1, 0],
        [1, 0, 1],
      ],
    );
    t.equal(sqlite.miner.length, 4);
    t.equal(sqlite.miner_sample.length, 11);
    t.match(sqlite.miner_latest, [
      /"m1".*"hashrate_mhs":110566890/,
      /"m2".*"hashrate_mhs":7,/,
      /"m3"/,
      /"m1"/,
    ]);
    t.match(sqlite.miner, [/the agent's.*the agent's/, /the agent's/, /the agent's/, /the agent's/]);
    t.match(sqlite.miner, [
      /"ip_enc":"10\.0\.0\.\d+","ip_index":"index of 10\.0\.0\.\d+","ip_net_index":"index of 10\.0\.0"/,
    ]);
    t.equal(sqlite.telemetry_rollup_dirty.length, 2, 'the late hour and the backfill hour');
    for (const key of Object.keys(sqlite) as (keyof typeof sqlite)[]) {
      t.same(postgres[key], sqlite[key], key);
    }
  },
);
