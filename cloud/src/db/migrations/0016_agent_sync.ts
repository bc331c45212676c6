import type { Kysely } from 'kysely';

// What the agents page shows of each agent's telemetry flow (issue #8): when the cloud last stored a batch of it
// (last_seen_at moves on presence too, so it cannot say that) and the samples waiting in its outbox as it last
// reported them (at birth, then with every batch). Both null until the agent first reports.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('agent').addColumn('last_sync_at', 'bigint').execute();
  await db.schema.alterTable('agent').addColumn('backlog_samples', 'bigint').execute();
}
