import { type Kysely, PostgresAdapter, sql } from 'kysely';

// The fleet list sorts 10,000 miners by IP, last seen or model and returns 100 at a time: without indexes led by
// the tenant every page sorted the whole fleet. IP order is numeric, which text cannot give, so miner.ip_sort is
// a generated column the database keeps itself (whoever writes miner.ip, the ingest included, needs no change):
// an IPv4 address as its 32-bit number, any other address 2^33, no address 2^34 (then the text breaks ties).
// SQLite can only add a VIRTUAL generated column (its index stores the value); PostgreSQL only a STORED one.

const OTHER_ADDRESS = 2 ** 33;
const NO_ADDRESS = 2 ** 34;

/** SQLite: each octet is the integer prefix of what follows the previous dot (CAST never fails in SQLite). */
function sqliteIpSort(): string {
  const rests = ['ip'];
  for (let i = 1; i < 4; i++) {
    const previous = rests[i - 1];
    rests.push(`substr(${previous}, instr(${previous}, '.') + 1)`);
  }
  const number = rests.map((rest, i) => `cast(${rest} as integer) * ${256 ** (3 - i)}`).join(' + ');
  return `case when ip glob '[0-9]*.[0-9]*.[0-9]*.[0-9]*' and ip not glob '*[^0-9.]*' then ${number}
    when ip = '' then ${NO_ADDRESS} else ${OTHER_ADDRESS} end`;
}

function postgresIpSort(): string {
  const number = [1, 2, 3, 4].map((i) => `split_part(ip, '.', ${i})::bigint * ${256 ** (4 - i)}`).join(' + ');
  return `case when ip ~ '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$' then ${number}
    when ip = '' then ${NO_ADDRESS} else ${OTHER_ADDRESS} end`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table miner add column ip_sort bigint generated always as (${sql.raw(postgresIpSort())}) stored`.execute(
      db,
    );
  } else {
    await sql`alter table miner add column ip_sort integer generated always as (${sql.raw(sqliteIpSort())}) virtual`.execute(
      db,
    );
  }
  // Each ends with (agent_id, id), the list's tie-breaker, so a page is one index range.
  await db.schema
    .createIndex('miner_tenant_ip_sort_idx')
    .on('miner')
    .columns(['tenant_id', 'ip_sort', 'ip', 'agent_id', 'id'])
    .execute();
  await db.schema
    .createIndex('miner_tenant_last_seen_idx')
    .on('miner')
    .columns(['tenant_id', 'last_seen_at', 'agent_id', 'id'])
    .execute();
  await db.schema
    .createIndex('miner_tenant_model_idx')
    .on('miner')
    .columns(['tenant_id', 'model', 'agent_id', 'id'])
    .execute();
}
