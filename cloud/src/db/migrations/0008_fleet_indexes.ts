import { type Kysely, PostgresAdapter, sql } from 'kysely';

// The fleet list's temperature sort and the fleet summary read each miner's hottest board. Taken from the
// latest sample's detail JSON at read time, that was a JSON parse per miner per request (the summary parsed all
// 10,000: ≈120 ms on SQLite, ≈500 ms on PostgreSQL). miner_latest.temp_max_dc keeps it beside the sample, set
// by the database itself whenever detail is written, so the ingest needs no change: the hottest board's chip
// temperature, else its board temperature, in tenths of a degree; null without any.
// PostgreSQL: a STORED generated column over an IMMUTABLE function (a generated expression cannot hold the
// subquery itself). SQLite: a generated column cannot hold a subquery either and json_each is one, so two
// triggers set a plain column after each insert and each update of detail.

const POSTGRES_FUNCTION = 'miner_latest_hottest_board_dc';

/** SQLite: the hottest board of `detail` (malformed JSON gives null rather than failing the ingest's write). */
const sqliteHottest = (detail: string) => `(select max(coalesce(json_extract(b.value, '$.chipTempDc'),
    json_extract(b.value, '$.boardTempDc'))) from json_each(case when json_valid(${detail}) then ${detail} end,
    '$.boards') as b)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // jsonb_path_query in lax mode yields nothing for a missing or non-array boards instead of raising.
    await sql`create function ${sql.id(POSTGRES_FUNCTION)}(detail text) returns integer
      language sql immutable parallel safe
      as $$ select max(coalesce((b->>'chipTempDc')::int, (b->>'boardTempDc')::int))
            from jsonb_path_query(detail::jsonb, 'lax $.boards[*]') as b $$`.execute(db);
    await sql`alter table miner_latest add column temp_max_dc integer
      generated always as (${sql.id(POSTGRES_FUNCTION)}(detail)) stored`.execute(db);
  } else {
    await sql`alter table miner_latest add column temp_max_dc integer`.execute(db);
    await sql`update miner_latest set temp_max_dc = ${sql.raw(sqliteHottest('detail'))}`.execute(db);
    for (const [name, event] of [
      ['miner_latest_temp_insert', 'after insert'],
      ['miner_latest_temp_update', 'after update of detail'],
    ] as const) {
      await sql`create trigger ${sql.id(name)} ${sql.raw(event)} on miner_latest begin
        update miner_latest set temp_max_dc = ${sql.raw(sqliteHottest('new.detail'))}
        where agent_id = new.agent_id and miner_id = new.miner_id;
      end`.execute(db);
    }
  }
}
