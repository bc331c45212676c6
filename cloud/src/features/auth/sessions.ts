import type { Db } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Principal } from '../../plugins/access.js';
import { authRequired } from '../../plugins/jwt.js';
import { invalidRefreshToken } from './errors.js';
import {
  findRefreshToken,
  findSessionUser,
  insertRefreshToken,
  insertSession,
  markRotated,
  revokeSessionRow,
  revokeUserSessionRows,
} from './repository.js';
import { newSecret, REFRESH_TOKEN_PREFIX, secretDigest } from './tokens.js';

/** A login lasts at most 30 days, however often it is refreshed. */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
/** A refresh token unused for 14 days expires. */
export const REFRESH_TOKEN_TTL_MS = 14 * 24 * 3600 * 1000;

export interface SessionUser {
  id: string;
  tenantId: string;
  role: Principal['role'];
  customerId: string | null;
}

export interface IssuedRefresh {
  sessionId: string;
  refreshToken: string;
  /** Seconds. */
  refreshExpiresIn: number;
}

async function issueRefreshToken(db: Db, sessionId: string, sessionEnd: number, nowMs: number) {
  const refreshToken = newSecret(REFRESH_TOKEN_PREFIX);
  const expiresAt = Math.min(nowMs + REFRESH_TOKEN_TTL_MS, sessionEnd);
  await insertRefreshToken(db, { hash: secretDigest(refreshToken), sessionId, createdAt: nowMs, expiresAt });
  return { sessionId, refreshToken, refreshExpiresIn: Math.floor((expiresAt - nowMs) / 1000) };
}

/** Opens a session for a user who just proved who they are, with its first refresh token. */
export async function openSession(db: Db, user: SessionUser, nowMs: number): Promise<IssuedRefresh> {
  const sessionId = uuidv7(nowMs);
  const expiresAt = nowMs + SESSION_TTL_MS;
  return db.transaction().execute(async (trx) => {
    await insertSession(trx, {
      id: sessionId,
      tenantId: user.tenantId,
      userId: user.id,
      createdAt: nowMs,
      expiresAt,
    });
    return issueRefreshToken(trx, sessionId, expiresAt, nowMs);
  });
}

/**
 * Exchanges a refresh token for a new one (and the caller signs a new access token). A token that was already
 * exchanged is a sign it was stolen (either the thief or the owner used it first): the whole session is revoked,
 * so both lose it and the owner logs in again.
 */
export async function rotateRefreshToken(
  db: Db,
  refreshToken: string,
  nowMs: number,
): Promise<{ user: SessionUser } & IssuedRefresh> {
  const hash = secretDigest(refreshToken);
  const found = await findRefreshToken(db, hash);
  if (found === undefined || found.revoked_at !== null) throw invalidRefreshToken();
  if (found.rotated_at !== null) {
    await revokeSessionRow(db, found.session_id, 'refresh_token_reuse', nowMs);
    throw invalidRefreshToken();
  }
  if (found.disabled_at !== null || found.tenant_id === null) {
    await revokeSessionRow(db, found.session_id, 'user_disabled', nowMs);
    throw invalidRefreshToken();
  }
  if (Number(found.expires_at) <= nowMs || Number(found.session_expires_at) <= nowMs)
    throw invalidRefreshToken();
  return db.transaction().execute(async (trx) => {
    // Conditional: of two concurrent exchanges of one token only one wins; the other is a reuse.
    if (!(await markRotated(trx, hash, nowMs))) {
      await revokeSessionRow(trx, found.session_id, 'refresh_token_reuse', nowMs);
      throw invalidRefreshToken();
    }
    const issued = await issueRefreshToken(trx, found.session_id, Number(found.session_expires_at), nowMs);
    return {
      user: {
        id: found.user_id,
        tenantId: found.tenant_id as string,
        role: found.role,
        customerId: found.customer_id,
      },
      ...issued,
    };
  });
}

export async function revokeSession(db: Db, sessionId: string, reason: string, nowMs: number): Promise<void> {
  await revokeSessionRow(db, sessionId, reason, nowMs);
}

/** Ends every login of a user (password change, disabled, role change); returns how many were open. */
export async function revokeUserSessions(
  db: Db,
  userId: string,
  reason: string,
  nowMs: number,
): Promise<number> {
  return revokeUserSessionRows(db, userId, reason, nowMs);
}

/**
 * The principal of a verified access token whose session still stands. The role and customer come from the
 * user row, not the token, so a demotion or a disabled account takes effect at the next request.
 */
export async function sessionPrincipal(
  db: Db,
  claims: { sub: string; tid: string; sid: string },
  nowMs: number,
): Promise<Principal> {
  const row = await findSessionUser(db, claims.sid);
  if (
    row === undefined ||
    row.user_id !== claims.sub ||
    row.tenant_id === null ||
    row.tenant_id !== claims.tid
  )
    throw authRequired();
  if (row.revoked_at !== null || Number(row.expires_at) <= nowMs || row.disabled_at !== null)
    throw authRequired();
  if (row.role === 'customer' && row.customer_id === null) throw authRequired();
  return {
    userId: row.user_id,
    tenantId: row.tenant_id,
    role: row.role,
    customerId: row.role === 'customer' ? row.customer_id : null,
  };
}
