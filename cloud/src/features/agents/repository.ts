import type { Db } from '../../db/index.js';

// Pure Kysely, `db` (or a transaction) first. Every read of tenant data filters on tenant_id.

export async function findSite(db: Db, tenantId: string, siteId: string) {
  return db
    .selectFrom('site')
    .select(['id', 'tenant_id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', siteId)
    .executeTakeFirst();
}

export async function insertEnrollmentToken(
  db: Db,
  token: {
    id: string;
    tenantId: string;
    siteId: string;
    tokenHash: string;
    createdBy: string;
    createdAt: number;
    expiresAt: number;
  },
): Promise<void> {
  await db
    .insertInto('enrollment_token')
    .values({
      id: token.id,
      tenant_id: token.tenantId,
      site_id: token.siteId,
      token_hash: token.tokenHash,
      created_by: token.createdBy,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      used_at: null,
      agent_id: null,
    })
    .execute();
}

/**
 * Marks the token used by `agentId` if it is unused and unexpired, in one conditional UPDATE so two agents
 * racing with the same token cannot both win. True when this call consumed it.
 */
export async function consumeEnrollmentToken(
  db: Db,
  tokenHash: string,
  agentId: string,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('enrollment_token')
    .set({ used_at: nowMs, agent_id: agentId })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowMs)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function findEnrollmentToken(db: Db, tokenHash: string) {
  return db
    .selectFrom('enrollment_token')
    .select(['id', 'tenant_id', 'site_id', 'expires_at', 'used_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function insertEnrolledAgent(
  db: Db,
  agent: {
    id: string;
    tenantId: string;
    siteId: string;
    hostname: string;
    agentVersion: string;
    passwordHash: string;
    signingPublicKey: string;
    boxPublicKey: string;
    nowMs: number;
  },
): Promise<void> {
  await db
    .insertInto('agent')
    .values({
      id: agent.id,
      tenant_id: agent.tenantId,
      site_id: agent.siteId,
      epoch: 0,
      online: 0,
      hostname: agent.hostname,
      agent_version: agent.agentVersion,
      last_seen_at: null,
      created_at: agent.nowMs,
      mqtt_password_hash: agent.passwordHash,
      signing_public_key: agent.signingPublicKey,
      box_public_key: agent.boxPublicKey,
      enrolled_at: agent.nowMs,
      revoked_at: null,
    })
    .execute();
}

const AGENT_COLUMNS = [
  'id',
  'site_id',
  'hostname',
  'agent_version',
  'online',
  'last_seen_at',
  'enrolled_at',
  'revoked_at',
  'created_at',
  'last_sync_at',
  'backlog_samples',
] as const;

export async function listAgents(db: Db, tenantId: string, filter: { siteId?: string | undefined }) {
  let query = db.selectFrom('agent').select(AGENT_COLUMNS).where('tenant_id', '=', tenantId);
  if (filter.siteId !== undefined) query = query.where('site_id', '=', filter.siteId);
  return query.orderBy('created_at').orderBy('id').execute();
}

export async function findAgent(db: Db, tenantId: string, agentId: string) {
  return db
    .selectFrom('agent')
    .select(AGENT_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .executeTakeFirst();
}

/** Revokes the tenant's agent (keeping the first revocation time); false when it is not the tenant's. */
export async function revokeAgent(
  db: Db,
  tenantId: string,
  agentId: string,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('agent')
    .set((eb) => ({
      revoked_at: eb.fn.coalesce('revoked_at', eb.val(nowMs)),
      mqtt_password_hash: null,
      online: 0,
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** What the broker needs to admit an agent: its password hash, unless it is revoked or unknown. */
export async function findAgentCredential(db: Db, agentId: string): Promise<string | null> {
  const row = await db
    .selectFrom('agent')
    .select(['mqtt_password_hash', 'revoked_at'])
    .where('id', '=', agentId)
    .executeTakeFirst();
  if (row === undefined || row.revoked_at !== null) return null;
  return row.mqtt_password_hash;
}

/** The public halves of the cloud's command-signing keys still in use, oldest first (what agents verify with). */
export async function listCommandVerifyKeys(db: Db): Promise<{ id: string; public_key: string }[]> {
  return db
    .selectFrom('command_signing_key')
    .select(['id', 'public_key'])
    .where('retired_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
