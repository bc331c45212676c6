import type { Test } from 'tap';
import type { Db } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { enrollTestAgent, MINER_ID, sample } from '../../test/helpers.js';
import { vaultIpCiphers } from '../../test/ip-keys.js';
import { applyPresence, ingestTelemetry } from './service.js';

const NOW = 1_795_000_500_000;

/** testEachDialect with agent-1 enrolled: the ingest stores messages of enrolled agents only. */
function testIngest(name: string, body: (t: Test, db: Db) => Promise<void>): void {
  testEachDialect(name, async (t, db) => {
    await enrollTestAgent(db, 'agent-1');
    await body(t, db);
  });
}
const latest = (db: Db) =>
  db.selectFrom('miner_latest').selectAll().where('miner_id', '=', MINER_ID).executeTakeFirst();
const streams = (db: Db) =>
  db
    .selectFrom('telemetry_stream')
    .select(['epoch', 'up_to_seq'])
    .where('agent_id', '=', 'agent-1')
    .orderBy('epoch')
    .execute();
const agent = (db: Db) =>
  db.selectFrom('agent').selectAll().where('id', '=', 'agent-1').executeTakeFirstOrThrow();

testIngest('a batch is stored and the high-water mark advances to its last seq', async (t, db) => {
  const ips = await vaultIpCiphers(t, db);
  const outcome = await ingestTelemetry(
    db,
    'agent-1',
    { epoch: 1, samples: [sample(1), sample(2), sample(3)] },
    NOW,
    ips,
  );
  t.same(outcome, { epoch: 1, upToSeq: 3, applied: 3, duplicates: 0 });
  t.same(await streams(db), [{ epoch: 1, up_to_seq: 3 }]);
  t.match(await agent(db), { last_seen_at: NOW });
  t.match(await db.selectFrom('miner').selectAll().executeTakeFirst(), {
    id: MINER_ID,
    agent_id: 'agent-1',
    ip: '', // sealed instead (identity.test.ts has the details)
    ip_enc: /./,
    mac: 'aa:bb:cc:dd:ee:ff',
    vendor: 'bitmain',
    model: 'Antminer S19 Pro',
    first_seen_at: sample(1).timeMs,
    last_seen_at: sample(3).timeMs,
  });
  const row = await latest(db);
  t.match(row, { time_ms: sample(3).timeMs, status: 'ok', hashrate_mhs: 110_566_890, power_w: 3250 });
  const detail = JSON.parse(row?.detail ?? '{}');
  t.same(detail.fansRpm, [5400, 5520, 5460, 5580]);
  t.match(detail.pools[0], { url: 'stratum+tcp://pool.example:3333', status: 'alive', accepted: 4057 });
  t.match(detail.boards[0], { chipTempDc: 712, inletTempDc: null });
});

testIngest('duplicates are skipped and acknowledged the same', async (t, db) => {
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(1), sample(2)] }, NOW);
  // The same seqs again, with different (newer) content: they must not be applied a second time.
  const resent = [sample(1), sample(2, { hashrateMhs: 1, timeMs: sample(9).timeMs })];
  const outcome = await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: resent }, NOW);
  t.same(outcome, { epoch: 1, upToSeq: 2, applied: 0, duplicates: 2 });
  t.equal((await latest(db))?.hashrate_mhs, 110_566_890);
});

testIngest('a gap stops the mark until the missing seqs arrive', async (t, db) => {
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(1), sample(2)] }, NOW);
  const gap = await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(5), sample(6)] }, NOW);
  t.match(gap, { upToSeq: 2, applied: 2 }, 'stored but not acknowledged past the gap');
  t.equal((await latest(db))?.time_ms, sample(6).timeMs);
  const replay = await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(3), sample(4)] }, NOW);
  // Only the mark is tracked, not each seq above it: 5 and 6 will be replayed too, and re-applying is harmless.
  t.match(replay, { upToSeq: 4 }, 'contiguous again up to the replayed part');
  t.equal(
    (await latest(db))?.time_ms,
    sample(6).timeMs,
    'an older replayed sample does not replace a newer one',
  );
  const inner = await ingestTelemetry(
    db,
    'agent-1',
    { epoch: 1, samples: [sample(5), sample(7), sample(9)] },
    NOW,
  );
  t.match(inner, { upToSeq: 5, applied: 3 }, 'a gap inside a batch stops the mark there');
});

testIngest(
  'each epoch is its own stream: a new one starts at 1, an older one still stores and acks',
  async (t, db) => {
    await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(1), sample(2), sample(3)] }, NOW);
    const next = await ingestTelemetry(
      db,
      'agent-1',
      { epoch: 2, samples: [sample(1, { timeMs: sample(10).timeMs })] },
      NOW,
    );
    t.same(next, { epoch: 2, upToSeq: 1, applied: 1, duplicates: 0 });
    // Backlog of an older epoch arriving after a newer one.
    const old = await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(4)] }, NOW);
    t.same(old, { epoch: 1, upToSeq: 4, applied: 1, duplicates: 0 });
    const replay = await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(3), sample(4)] }, NOW);
    t.same(replay, { epoch: 1, upToSeq: 4, applied: 0, duplicates: 2 });
    t.same(await streams(db), [
      { epoch: 1, up_to_seq: 4 },
      { epoch: 2, up_to_seq: 1 },
    ]);
  },
);

testIngest('oldestUnackedSeq lifts the mark of a cloud that never saw the earlier seqs', async (t, db) => {
  // A fresh database (restored or replaced) and an agent whose seqs 1..500 were acked by the cloud before it.
  const batch = { epoch: 7, oldestUnackedSeq: 501, samples: [sample(501), sample(502), sample(503)] };
  const outcome = await ingestTelemetry(db, 'agent-1', batch, NOW);
  t.same(outcome, {
    epoch: 7,
    upToSeq: 503,
    applied: 3,
    duplicates: 0,
    skipped: { fromSeq: 1, toSeq: 500 },
  });
  t.same(await streams(db), [{ epoch: 7, up_to_seq: 503 }]);
  t.equal((await latest(db))?.time_ms, sample(503).timeMs, 'the samples are stored');

  const next = { epoch: 7, oldestUnackedSeq: 504, samples: [sample(504)] };
  t.same(
    await ingestTelemetry(db, 'agent-1', next, NOW),
    { epoch: 7, upToSeq: 504, applied: 1, duplicates: 0 },
    'the next batch (oldest unacked = first seq = mark + 1) skips nothing',
  );
  // A resend whose oldest unacked lies below the mark (its ack was lost) never moves the mark back.
  const resent = { epoch: 7, oldestUnackedSeq: 503, samples: [sample(503), sample(504), sample(505)] };
  t.same(await ingestTelemetry(db, 'agent-1', resent, NOW), {
    epoch: 7,
    upToSeq: 505,
    applied: 1,
    duplicates: 2,
  });
});

testIngest('a normal batch with oldestUnackedSeq skips nothing', async (t, db) => {
  const first = { epoch: 1, oldestUnackedSeq: 1, samples: [sample(1), sample(2)] };
  t.same(await ingestTelemetry(db, 'agent-1', first, NOW), {
    epoch: 1,
    upToSeq: 2,
    applied: 2,
    duplicates: 0,
  });
  const second = { epoch: 1, oldestUnackedSeq: 3, samples: [sample(3), sample(4)] };
  t.same(await ingestTelemetry(db, 'agent-1', second, NOW), {
    epoch: 1,
    upToSeq: 4,
    applied: 2,
    duplicates: 0,
  });
});

testIngest('after an oldestUnackedSeq jump a gap inside the batch still stops the mark', async (t, db) => {
  const batch = { epoch: 2, oldestUnackedSeq: 501, samples: [sample(501), sample(502), sample(504)] };
  t.same(await ingestTelemetry(db, 'agent-1', batch, NOW), {
    epoch: 2,
    upToSeq: 502,
    applied: 3,
    duplicates: 0,
    skipped: { fromSeq: 1, toSeq: 500 },
  });
  t.same(await streams(db), [{ epoch: 2, up_to_seq: 502 }]);
});

testIngest('a sample without identity still creates its miner', async (t, db) => {
  const ips = await vaultIpCiphers(t, db);
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(1, { identity: null })] }, NOW, ips);
  t.match(await db.selectFrom('miner').selectAll().executeTakeFirst(), {
    id: MINER_ID,
    ip: '',
    ip_enc: '',
    vendor: 'unknown',
  });
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(2)] }, NOW, ips);
  t.match(await db.selectFrom('miner').selectAll().executeTakeFirst(), {
    ip: '',
    ip_enc: /./,
    vendor: 'bitmain',
  });
});

testIngest('the agent row keeps the last sync time and the backlog the agent last stated', async (t, db) => {
  t.match(await agent(db), { last_sync_at: null, backlog_samples: null });
  await applyPresence(db, 'agent-1', { birth: { epoch: 2, backlogSamples: 900 } }, NOW);
  t.match(await agent(db), { last_sync_at: null, backlog_samples: 900 }, 'the birth states it first');
  await ingestTelemetry(db, 'agent-1', { epoch: 2, samples: [sample(1)], backlogSamples: 500 }, NOW + 1);
  t.match(await agent(db), { last_sync_at: NOW + 1, last_seen_at: NOW + 1, backlog_samples: 500 });
  await ingestTelemetry(db, 'agent-1', { epoch: 2, samples: [sample(2)], backlogSamples: 0 }, NOW + 2);
  t.match(
    await agent(db),
    { last_sync_at: NOW + 2, backlog_samples: 0 },
    'an empty outbox is 0, not unknown',
  );
  // An agent older than the field states nothing: the figure stays, the sync time moves.
  await ingestTelemetry(db, 'agent-1', { epoch: 2, samples: [sample(3)] }, NOW + 3);
  t.match(await agent(db), { last_sync_at: NOW + 3, backlog_samples: 0 });
  await applyPresence(db, 'agent-1', { death: { epoch: 2 } }, NOW + 4);
  t.match(await agent(db), { last_sync_at: NOW + 3, backlog_samples: 0 }, 'a death is not a sync');
});

testIngest('birth, then a stale death of an older epoch, leaves the agent online', async (t, db) => {
  const birth = { birth: { epoch: 5, hostname: 'edge-1', agentVersion: '0.1.0', startedAtMs: NOW } };
  t.match(await applyPresence(db, 'agent-1', birth, NOW), { kind: 'birth', epoch: 5, applied: true });
  t.match(await agent(db), {
    online: 1,
    epoch: 5,
    hostname: 'edge-1',
    agent_version: '0.1.0',
    last_seen_at: NOW,
  });

  t.match(await applyPresence(db, 'agent-1', { death: { epoch: 4 } }, NOW + 1), { applied: false });
  t.match(await agent(db), { online: 1, epoch: 5 });

  const staleBirth = { birth: { epoch: 3, hostname: 'old', agentVersion: '0.0.1' } };
  t.match(await applyPresence(db, 'agent-1', staleBirth, NOW + 2), { applied: false });
  t.match(await agent(db), { hostname: 'edge-1' });

  t.match(await applyPresence(db, 'agent-1', { death: { epoch: 5, clean: true } }, NOW + 3), {
    applied: true,
  });
  t.match(await agent(db), { online: 0, epoch: 5 });
});

testEachDialect('messages of an agent that never enrolled, or was revoked, are refused', async (t, db) => {
  await t.rejects(ingestTelemetry(db, 'ghost', { epoch: 1, samples: [sample(1)] }, NOW), {
    code: 'INGEST_UNKNOWN_AGENT',
  });
  await t.rejects(applyPresence(db, 'ghost', { birth: { epoch: 1 } }, NOW), { code: 'INGEST_UNKNOWN_AGENT' });
  t.same(await db.selectFrom('agent').select('id').execute(), [], 'no agent row is made up');
  await enrollTestAgent(db, 'agent-1');
  await db.updateTable('agent').set({ revoked_at: NOW }).where('id', '=', 'agent-1').execute();
  await t.rejects(ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [sample(1)] }, NOW), {
    code: 'INGEST_UNKNOWN_AGENT',
  });
  t.same(await db.selectFrom('miner').select('id').execute(), [], 'nothing stored for a revoked agent');
});
