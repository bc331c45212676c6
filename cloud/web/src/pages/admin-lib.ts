// Pure helpers of the admin pages (agents, credentials, audit): no DOM, so the unit tests run them in Node.

/** What GET /api/agents answers per agent; `lastSyncAt` and `backlogSamples` are absent on an older cloud. */
export interface AgentView {
  id: string;
  siteId: string | null;
  hostname: string;
  agentVersion: string;
  status: 'online' | 'offline' | 'revoked';
  online: boolean;
  lastSeenAt: string | null;
  enrolledAt: string | null;
  revokedAt: string | null;
  lastSyncAt?: string | null;
  backlogSamples?: number | null;
}

/** A word as the shell reads it: left bare when it is only safe characters, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The line a technician runs on the agent's box (agent/src/cli/enroll.ts). */
export function enrollCommand(cloudUrl: string, token: string): string {
  return `npx hashinsight-agent enroll --cloud ${shellQuote(cloudUrl)} --token ${shellQuote(token)}`;
}

/** Limits of PUT /api/credentials (cloud/src/features/vault/scope.ts), checked here so a typo fails fast. */
export const USERNAME_MAX = 256;
export const PASSWORD_MAX = 1024;
export const MODEL_MAX = 128;

export type ScopeKind = 'site' | 'model' | 'miner';
export type Purpose = 'web' | 'api';

export type CredentialScope =
  | { kind: 'miner'; agentId: string; minerId: string }
  | { kind: 'model'; model: string }
  | { kind: 'site'; siteId: string };

export interface CredentialBody {
  scope: CredentialScope;
  purpose: Purpose;
  username: string;
  password: string;
}

/** What the form holds when it is sent; `miner` is the picked miner as `agentId` + `minerId`. */
export interface CredentialDraft {
  kind: ScopeKind;
  siteId: string;
  model: string;
  miner: { agentId: string; minerId: string } | undefined;
  purpose: Purpose;
  username: string;
  password: string;
}

/** Why a draft cannot be sent (an i18n key suffix of the admin area). */
export type DraftProblem =
  | 'credSiteRequired'
  | 'credModelRequired'
  | 'credMinerRequired'
  | 'credModelTooLong'
  | 'credUsernameRequired'
  | 'credUsernameTooLong'
  | 'credPasswordRequired'
  | 'credPasswordTooLong';

/** The PUT body of a draft, or the first thing wrong with it. The password is sent exactly as typed. */
export function credentialBody(draft: CredentialDraft): CredentialBody | DraftProblem {
  let scope: CredentialScope;
  if (draft.kind === 'site') {
    if (draft.siteId === '') return 'credSiteRequired';
    scope = { kind: 'site', siteId: draft.siteId };
  } else if (draft.kind === 'model') {
    const model = draft.model.trim();
    if (model === '') return 'credModelRequired';
    if (model.length > MODEL_MAX) return 'credModelTooLong';
    scope = { kind: 'model', model };
  } else {
    if (draft.miner === undefined) return 'credMinerRequired';
    scope = { kind: 'miner', agentId: draft.miner.agentId, minerId: draft.miner.minerId };
  }
  const username = draft.username.trim();
  if (username === '') return 'credUsernameRequired';
  if (username.length > USERNAME_MAX) return 'credUsernameTooLong';
  if (draft.password === '') return 'credPasswordRequired';
  if (draft.password.length > PASSWORD_MAX) return 'credPasswordTooLong';
  return { scope, purpose: draft.purpose, username, password: draft.password };
}

/** One row of GET /api/audit. */
export interface AuditEntry {
  seq: number;
  at: string;
  actorKind: 'user' | 'api_key' | 'anonymous';
  actorId?: string | null;
  email?: string | null;
  method: string;
  route: string;
  targetId?: string | null;
  statusCode: number;
  outcome: 'success' | 'failure';
  requestId?: string;
  ip?: string;
  hash: string;
}

/**
 * Who did it, as a person reads it: the entry's email, else the email of a known user id (`emails`, from the
 * users list), else the user or key id, else the kind of caller.
 */
export function auditActor(entry: AuditEntry, emails: ReadonlyMap<string, string> = new Map()): string {
  if (entry.email) return entry.email;
  if (entry.actorId) return emails.get(entry.actorId) ?? entry.actorId;
  return entry.actorKind;
}

/** Entries whose visible text contains every word of `filter` (case-insensitive); an empty filter keeps all. */
export function filterAudit(
  entries: readonly AuditEntry[],
  filter: string,
  emails: ReadonlyMap<string, string> = new Map(),
): readonly AuditEntry[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return entries;
  return entries.filter((entry) => {
    const text = [
      auditActor(entry, emails),
      entry.method,
      entry.route,
      entry.targetId ?? '',
      String(entry.statusCode),
      entry.outcome,
      entry.ip ?? '',
      entry.requestId ?? '',
    ]
      .join(' ')
      .toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** Pages appended to what is loaded, without the same entry twice (a page may overlap after new writes). */
export function appendAudit(loaded: readonly AuditEntry[], page: readonly AuditEntry[]): AuditEntry[] {
  const seen = new Set(loaded.map((entry) => entry.seq));
  return [...loaded, ...page.filter((entry) => !seen.has(entry.seq))];
}
