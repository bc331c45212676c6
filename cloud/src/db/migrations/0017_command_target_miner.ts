import type { Kysely } from 'kysely';

// A miner's commands (issue #8: the console's miner page lists them and its events show their results). The
// primary key of command_target leads with the command, so finding one miner's targets scanned every target of
// every command; this index makes it a range read of that miner's rows.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('command_target_miner_idx')
    .on('command_target')
    .columns(['agent_id', 'miner_id', 'updated_at'])
    .execute();
}
