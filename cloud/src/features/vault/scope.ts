import { AppError } from '../../http/errors.js';
import type { CredentialPurpose, CredentialScope, PlainLogin } from './api.js';
import { scopeNotFound } from './errors.js';
import type { CredentialTable, VaultDb } from './tables.js';

// Where a credential applies, checked against the tenant, and what a login may hold.

export const USERNAME_MAX = 256;
export const PASSWORD_MAX = 1024;
export const MODEL_MAX = 128;

/** The columns of a credential row that say where it applies. */
export type ResolvedScope = Pick<
  CredentialTable,
  'scope_kind' | 'scope_key' | 'agent_id' | 'miner_id' | 'model' | 'site_id'
>;

/** Resolves `scope` inside `tenantId`; a miner or site of another tenant is not found, like a missing one. */
export async function resolveScope(
  db: VaultDb,
  tenantId: string,
  scope: CredentialScope,
  poolId: string,
): Promise<ResolvedScope> {
  const none = { agent_id: '', miner_id: '', model: '', site_id: '' };
  switch (scope.kind) {
    case 'miner': {
      const miner = await db
        .selectFrom('miner')
        .select(['site_id'])
        .where('tenant_id', '=', tenantId)
        .where('agent_id', '=', scope.agentId)
        .where('id', '=', scope.minerId)
        .executeTakeFirst();
      if (miner === undefined) throw scopeNotFound();
      return {
        ...none,
        scope_kind: 'miner',
        scope_key: `miner:${scope.agentId}/${scope.minerId}`,
        agent_id: scope.agentId,
        miner_id: scope.minerId,
        site_id: miner.site_id ?? '',
      };
    }
    case 'model':
      if (scope.model.trim() === '' || scope.model.length > MODEL_MAX) throw scopeNotFound();
      return { ...none, scope_kind: 'model', scope_key: `model:${scope.model}`, model: scope.model };
    case 'site': {
      const site = await db
        .selectFrom('site')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', scope.siteId)
        .executeTakeFirst();
      if (site === undefined) throw scopeNotFound();
      return { ...none, scope_kind: 'site', scope_key: `site:${scope.siteId}`, site_id: scope.siteId };
    }
    case 'pool':
      return { ...none, scope_kind: 'pool', scope_key: `pool:${poolId}` };
    default:
      throw scopeNotFound();
  }
}

/** The API-facing scope of a stored row. */
export function scopeOf(row: ResolvedScope): CredentialScope {
  switch (row.scope_kind) {
    case 'miner':
      return { kind: 'miner', agentId: row.agent_id, minerId: row.miner_id };
    case 'model':
      return { kind: 'model', model: row.model };
    case 'site':
      return { kind: 'site', siteId: row.site_id };
    default:
      return { kind: 'pool' };
  }
}

const loginInvalid = (what: string) => new AppError('VAULT_LOGIN_INVALID', 400, what);

/** A lone UTF-16 surrogate: JSON can carry one ("\ud800"), but it is not text and would not survive UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Control characters break the miner protocols a login travels in (CR/LF in a header, NUL in C strings). */
const isControl = (value: string) =>
  [...value].some((char) => (char.codePointAt(0) ?? 0) < 0x20 || char.codePointAt(0) === 0x7f);

/** Refuses logins no miner or pool could take; the message never quotes the value. */
export function checkLogin(login: PlainLogin, purpose: CredentialPurpose): void {
  if (typeof login.username !== 'string' || typeof login.password !== 'string') {
    throw loginInvalid('username and password must be strings');
  }
  if (login.username.length > USERNAME_MAX)
    throw loginInvalid(`username must be at most ${USERNAME_MAX} characters`);
  if (login.password.length < 1 || login.password.length > PASSWORD_MAX) {
    throw loginInvalid(`password must be 1 to ${PASSWORD_MAX} characters`);
  }
  if (purpose !== 'pool' && login.username.trim() === '') throw loginInvalid('username must not be empty');
  for (const [name, value] of [
    ['username', login.username],
    ['password', login.password],
  ] as const) {
    // U+FFFD is what the body parser leaves of bytes that were not UTF-8: the login the client meant is lost.
    if (LONE_SURROGATE.test(value) || value.includes('\uFFFD')) {
      throw loginInvalid(`${name} must be valid UTF-8 / Unicode text`);
    }
    if (isControl(value)) throw loginInvalid(`${name} must not contain control characters`);
  }
}
