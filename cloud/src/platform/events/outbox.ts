import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { type Db, dialectOf } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import { uuidv7 } from '../../lib/ids.js';

/** family.name in lower case, e.g. agent.online: the family (before the dot) names the stream. */
const EVENT_TYPE = /^[a-z][a-z0-9_]{0,31}\.[a-z][a-z0-9_.]{0,63}$/;

export interface NewEvent {
  type: string;
  /** The tenant the fact belongs to (consumers filter on it); null for platform-wide facts. */
  tenantId: string | null;
  /** Plain JSON data; never secrets (events leave the database for Redis). */
  payload: Record<string, unknown>;
}

/** An event as relayed and consumed. */
export interface DomainEvent extends NewEvent {
  id: string;
  createdAt: number;
}

/** The stream family of an event type: `agent` for `agent.online`. */
export function eventFamily(type: string): string {
  return type.slice(0, type.indexOf('.'));
}

/**
 * Records `event` in the outbox inside `trx`, the transaction that makes the change the event describes: both
 * commit or neither does, so no event is lost or invented. The relay publishes it after the commit.
 */
export async function recordEvent(
  trx: Transaction<Database> | Db,
  event: NewEvent,
  nowMs: number = Date.now(),
): Promise<string> {
  if (!EVENT_TYPE.test(event.type)) throw new Error(`not an event type (family.name): ${event.type}`);
  const id = uuidv7(nowMs);
  await trx
    .insertInto('event_outbox')
    .values({
      id,
      type: event.type,
      tenant_id: event.tenantId,
      payload: JSON.stringify(event.payload),
      created_at: nowMs,
      claim_token: null,
      claimed_until: null,
      relayed_at: null,
    })
    .execute();
  return id;
}

/**
 * Takes up to `limit` pending events, oldest first, for `leaseMs`: no other relay takes them until the lease
 * runs out (if this one dies, another takes over then). On PostgreSQL, FOR UPDATE SKIP LOCKED lets two relays
 * claim disjoint batches concurrently; the outer WHERE repeats the conditions, so a row another relay claimed
 * in between is not taken twice. SQLite has one writer at a time, which serialises claims by itself.
 */
export async function claimPending(
  db: Db,
  { limit, leaseMs, nowMs }: { limit: number; leaseMs: number; nowMs: number },
): Promise<{ token: string; events: DomainEvent[] }> {
  const token = randomBytes(12).toString('hex');
  const claimable = db
    .selectFrom('event_outbox')
    .select('id')
    .where('relayed_at', 'is', null)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', nowMs)]))
    .orderBy('id')
    .limit(limit);
  await db
    .updateTable('event_outbox')
    .set({ claim_token: token, claimed_until: nowMs + leaseMs })
    .where('id', 'in', dialectOf(db) === 'postgres' ? claimable.forUpdate().skipLocked() : claimable)
    .where('relayed_at', 'is', null)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', nowMs)]))
    .execute();
  const rows = await db
    .selectFrom('event_outbox')
    .selectAll()
    .where('claim_token', '=', token)
    .orderBy('id')
    .execute();
  const events = rows.map((row) => ({
    id: row.id,
    type: row.type,
    tenantId: row.tenant_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    createdAt: Number(row.created_at),
  }));
  return { token, events };
}

/** Marks events relayed, only while this relay's claim on them still holds. */
export async function markRelayed(db: Db, token: string, ids: string[], nowMs: number): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('event_outbox')
    .set({ relayed_at: nowMs, claim_token: null, claimed_until: null })
    .where('claim_token', '=', token)
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Events not relayed yet (the outbox backlog metric). */
export async function pendingCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('event_outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('relayed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes relayed events older than `beforeMs` (the streams and inboxes hold what consumers need). */
export async function pruneRelayed(db: Db, beforeMs: number): Promise<number> {
  const result = await db
    .deleteFrom('event_outbox')
    .where('relayed_at', 'is not', null)
    .where('relayed_at', '<', beforeMs)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
