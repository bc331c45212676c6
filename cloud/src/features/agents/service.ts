import type { Db } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Principal } from '../../plugins/access.js';
import type { Broker } from '../../plugins/broker.js';
import {
  agentNotFound,
  badPublicKey,
  brokerUnavailable,
  noCommandKey,
  siteNotFound,
  tokenExpired,
  tokenInvalid,
  tokenUsed,
} from './errors.js';
import { publicKeyProblem } from './keys.js';
import {
  consumeEnrollmentToken,
  findAgent,
  findAgentCredential,
  findEnrollmentToken,
  findSite,
  insertEnrolledAgent,
  insertEnrollmentToken,
  listAgents,
  listCommandVerifyKeys,
  revokeAgent,
} from './repository.js';
import { generateAgentPassword, generateEnrollmentToken, hashSecret, secretMatches } from './secrets.js';

/** A token lives a day unless its creator says otherwise. */
export const DEFAULT_TOKEN_TTL_S = 24 * 3600;

export interface CreatedToken {
  id: string;
  siteId: string;
  /** Shown once: only its hash is stored. */
  token: string;
  expiresAt: number;
}

/** A one-time enrollment token for one of the caller's sites. */
export async function createEnrollmentToken(
  db: Db,
  principal: Principal,
  siteId: string,
  ttlS: number,
  nowMs: number,
): Promise<CreatedToken> {
  // Another tenant's site is exactly as missing as one that does not exist.
  if ((await findSite(db, principal.tenantId, siteId)) === undefined) throw siteNotFound();
  const token = generateEnrollmentToken();
  const id = uuidv7(nowMs);
  const expiresAt = nowMs + ttlS * 1000;
  await insertEnrollmentToken(db, {
    id,
    tenantId: principal.tenantId,
    siteId,
    tokenHash: hashSecret(token),
    createdBy: principal.userId,
    createdAt: nowMs,
    expiresAt,
  });
  return { id, siteId, token, expiresAt };
}

export interface EnrollRequest {
  token: string;
  hostname: string;
  agentVersion: string;
  publicKeys: { signing: string; box: string };
}

/** A key the agent verifies the cloud's signed commands and credentials with. */
export interface CommandVerifyKey {
  keyId: string;
  /** Raw 32-byte Ed25519 public key, base64. */
  publicKey: string;
}

export interface Enrollment {
  agentId: string;
  siteId: string;
  /** Where and as whom the agent connects; the URL is the one agents should use (HASHINSIGHT_AGENT_BROKER_URL). */
  mqtt: { url: string; username: string; password: string };
  /** Every command-signing key in use, so a rotation never strands an agent enrolled in between. */
  commandKeys: CommandVerifyKey[];
}

/**
 * Exchanges a token for a new agent in the token's site and its broker credentials. The token is consumed,
 * the agent stored and the broker told in one transaction: if the broker refuses, nothing is kept and the
 * token still works.
 */
export async function enrollAgent(
  db: Db,
  broker: Broker,
  request: EnrollRequest,
  brokerUrl: string,
  nowMs: number,
): Promise<Enrollment> {
  const signingProblem = publicKeyProblem('ed25519', request.publicKeys.signing);
  if (signingProblem !== undefined) throw badPublicKey('signing', signingProblem);
  const boxProblem = publicKeyProblem('x25519', request.publicKeys.box);
  if (boxProblem !== undefined) throw badPublicKey('box', boxProblem);

  const tokenHash = hashSecret(request.token);
  const agentId = uuidv7(nowMs);
  const password = generateAgentPassword();
  return db.transaction().execute(async (trx) => {
    if (!(await consumeEnrollmentToken(trx, tokenHash, agentId, nowMs))) {
      const token = await findEnrollmentToken(trx, tokenHash);
      if (token === undefined) throw tokenInvalid();
      if (token.used_at !== null) throw tokenUsed();
      throw tokenExpired();
    }
    const token = await findEnrollmentToken(trx, tokenHash);
    if (token === undefined) throw tokenInvalid(); // consumed just above: cannot happen
    await insertEnrolledAgent(trx, {
      id: agentId,
      tenantId: token.tenant_id,
      siteId: token.site_id,
      hostname: request.hostname,
      agentVersion: request.agentVersion,
      passwordHash: hashSecret(password),
      signingPublicKey: request.publicKeys.signing,
      boxPublicKey: request.publicKeys.box,
      nowMs,
    });
    const commandKeys = (await listCommandVerifyKeys(trx)).map((key) => ({
      keyId: key.id,
      publicKey: key.public_key,
    }));
    // Migration 0009 creates the key; an agent that cannot verify commands must not be enrolled.
    if (commandKeys.length === 0) throw noCommandKey();
    try {
      await broker.provisionAgent(agentId, password);
    } catch (error) {
      throw brokerUnavailable(error);
    }
    return {
      agentId,
      siteId: token.site_id,
      mqtt: { url: brokerUrl, username: agentId, password },
      commandKeys,
    };
  });
}

export interface AgentView {
  id: string;
  siteId: string | null;
  hostname: string;
  agentVersion: string;
  /** online: its latest presence is a birth; revoked wins over both. */
  status: 'online' | 'offline' | 'revoked';
  online: boolean;
  lastSeenAt: string | null;
  enrolledAt: string | null;
  revokedAt: string | null;
  /** When the cloud last stored a telemetry batch of the agent; null before the first. */
  lastSyncAt: string | null;
  /** Samples waiting in the agent's outbox as it last reported them (birth or batch); null before it did. */
  backlogSamples: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function view(row: NonNullable<Awaited<ReturnType<typeof findAgent>>>): AgentView {
  const revoked = row.revoked_at !== null;
  const online = !revoked && Number(row.online) === 1;
  return {
    id: row.id,
    siteId: row.site_id,
    hostname: row.hostname,
    agentVersion: row.agent_version,
    status: revoked ? 'revoked' : online ? 'online' : 'offline',
    online,
    lastSeenAt: iso(row.last_seen_at),
    enrolledAt: iso(row.enrolled_at),
    revokedAt: iso(row.revoked_at),
    lastSyncAt: iso(row.last_sync_at),
    backlogSamples: row.backlog_samples === null ? null : Number(row.backlog_samples),
  };
}

export async function listTenantAgents(
  db: Db,
  principal: Principal,
  filter: { siteId?: string | undefined },
): Promise<AgentView[]> {
  return (await listAgents(db, principal.tenantId, filter)).map(view);
}

export async function getAgent(db: Db, principal: Principal, agentId: string): Promise<AgentView> {
  const row = await findAgent(db, principal.tenantId, agentId);
  if (row === undefined) throw agentNotFound();
  return view(row);
}

/**
 * Revokes the agent: its password stops working at once (the embedded broker reads it per connection) and the
 * broker cuts its live session. Revoking again repeats the cut, so a failed broker call can be retried.
 */
export async function revokeTenantAgent(
  db: Db,
  broker: Broker,
  principal: Principal,
  agentId: string,
  nowMs: number,
): Promise<AgentView> {
  if (!(await revokeAgent(db, principal.tenantId, agentId, nowMs))) throw agentNotFound();
  try {
    await broker.revokeAgent(agentId);
  } catch (error) {
    throw brokerUnavailable(error);
  }
  return getAgent(db, principal, agentId);
}

/** The embedded broker's check of a CONNECT: the agent exists, is not revoked, and the password matches. */
export async function verifyAgentCredentials(db: Db, agentId: string, password: string): Promise<boolean> {
  return secretMatches(password, await findAgentCredential(db, agentId));
}
