import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

// Row types of the vault's tables (migration 0012). Kept here rather than in db/schema.ts so the vault's typing
// travels with the vault; VaultDb is the shared Database plus these.

export type DataKeyKind = 'data' | 'index';

/** A tenant's data key, wrapped by one master-key version. */
export interface VaultDataKeyTable {
  tenant_id: string;
  kind: DataKeyKind;
  version: number;
  /** Base64 of the wrapped key; '' once retired (destroyed). */
  wrapped_key: string;
  kek_version: number;
  /** Encryptions made with it (kind data); the vault rotates over a threshold. */
  op_count: number | string | bigint;
  created_at: number;
  retired_at: number | null;
  row_version: number;
}

export type CredentialState = 'active' | 'pending' | 'inactive';

/** One login slot: (tenant, scope, purpose). */
export interface CredentialTable {
  id: string;
  tenant_id: string;
  scope_kind: 'miner' | 'model' | 'site' | 'pool';
  scope_key: string;
  agent_id: string;
  miner_id: string;
  model: string;
  site_id: string;
  purpose: 'web' | 'api' | 'pool';
  /** The version polls and commands use; null when none is active yet. */
  active_version: number | null;
  /** The highest version ever stored (versions are never reused). */
  last_version: number;
  created_at: number;
  updated_at: number;
}

/** One version of a credential, encrypted under one data-key version. */
export interface CredentialVersionTable {
  credential_id: string;
  version: number;
  tenant_id: string;
  state: CredentialState;
  dek_version: number;
  /** Base64 of the envelope blob (format, IV, ciphertext, tag); AAD credentialAad(). */
  ciphertext: string;
  created_at: number;
  row_version: number;
}

/** The columns 0012 adds to command_signing_key. */
export interface SigningKeyWrapColumns {
  /** Base64 of the PEM wrapped by the master key; '' while still in the clear (before the vault first started). */
  private_key_wrapped: string;
  /** Master-key version of private_key_wrapped; 0 = not wrapped yet. */
  kek_version: number;
  row_version: number;
}

export interface VaultDatabase extends Omit<Database, 'command_signing_key'> {
  vault_data_key: VaultDataKeyTable;
  credential: CredentialTable;
  credential_version: CredentialVersionTable;
  command_signing_key: Database['command_signing_key'] & SigningKeyWrapColumns;
}

export type VaultDb = Kysely<VaultDatabase>;
export type VaultTrx = Transaction<VaultDatabase>;

/** The same database, typed with the vault's tables. */
export function vaultDb(db: Kysely<Database>): VaultDb {
  return db as unknown as VaultDb;
}
