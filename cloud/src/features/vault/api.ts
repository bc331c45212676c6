import type { SigningKey } from '@hashinsight/vault';

// The credential vault as the rest of the cloud sees it (issue #6). Implemented in this folder; features get it
// as `fastify.vault`. Plaintext logins go in and, sealed to one agent, come out: nothing here ever returns a
// stored secret to an HTTP caller.

/** What a login is for: the miner's web interface, its privileged API, or a pool's password. */
export type CredentialPurpose = 'web' | 'api' | 'pool';

/** Where a login applies, inside one tenant; the most specific wins (miner, then model, then site). */
export type CredentialScope =
  | { kind: 'miner'; agentId: string; minerId: string }
  | { kind: 'model'; model: string }
  | { kind: 'site'; siteId: string }
  /** A pool password named by a set_pools command; applies to nothing else. */
  | { kind: 'pool' };

/** A miner or pool login in plaintext: only ever in memory, on its way in or on its way to a sealed box. */
export interface PlainLogin {
  username: string;
  password: string;
}

/** A stored version of a credential. */
export interface CredentialVersionRef {
  credentialId: string;
  version: number;
}

/**
 * Encryption at rest of small identity fields of one tenant — miner IP addresses (issue #6, H5). Synchronous once
 * resolved, so the ingest can use it inside its write transaction; callers cache the resolved cipher for a short
 * while (a minute), which is how a rotation reaches them.
 */
export interface FieldCipher {
  readonly tenantId: string;
  /** The data key version seal() uses now. */
  readonly keyVersion: number;
  /**
   * AES-256-GCM under the tenant's current data key (random 12-byte IV, 16-byte tag); `context` (e.g.
   * "miner-ip|<agentId>|<minerId>") and the tenant are bound as associated data, so a value copied onto another
   * row or tenant fails to open. Returns printable text that names its key version.
   */
  seal(plaintext: string, context: string): string;
  /** The plaintext of seal(); throws (VaultError) on another context or tenant, tampering, or an unknown key. */
  open(sealed: string, context: string): string;
  /**
   * Blind index: lowercase hex HMAC-SHA256 of `value` under the tenant's index key. The same value gives the same
   * index for the tenant's lifetime (a data key rotation must not change it: stored indexes stay searchable),
   * and unrelated indexes in another tenant.
   */
  blindIndex(value: string): string;
}

export interface VaultApi {
  /**
   * Stores `login` as the new active version for (tenant, scope, purpose) — a new credential the first time —
   * and sends it sealed to every agent it applies to. Returns the id and the new version.
   */
  putCredential(
    tenantId: string,
    scope: CredentialScope,
    purpose: CredentialPurpose,
    login: PlainLogin,
  ): Promise<CredentialVersionRef>;
  /**
   * Stores `login` as a pending version for one miner (a rotation): not used for polls or other commands until
   * activate(); the update_credentials command carries it to the miner.
   */
  stagePending(
    tenantId: string,
    scope: CredentialScope & { kind: 'miner' },
    purpose: Exclude<CredentialPurpose, 'pool'>,
    login: PlainLogin,
  ): Promise<CredentialVersionRef>;
  /** The miner confirmed the pending version: it becomes the active one (older versions are kept, inactive). */
  activate(tenantId: string, ref: CredentialVersionRef): Promise<void>;
  /** The rotation failed or was cancelled: the pending version is dropped; the active one stays. */
  discardPending(tenantId: string, ref: CredentialVersionRef): Promise<void>;
  /**
   * Seals that version to `agentId`'s enrolled box key, signs it with the cloud key, and publishes it on the
   * agent's credential topic (QoS 1); resolves once the broker took it. `minerIds` become the sealed header's
   * miners (empty: the agent's default for the purpose).
   */
  sendSealed(
    tenantId: string,
    ref: CredentialVersionRef,
    agentId: string,
    minerIds: readonly string[],
  ): Promise<void>;
  /** The cloud's current command-signing key, unwrapped (kept in memory only). */
  signingKey(): Promise<SigningKey>;
  /** The tenant's field cipher (miner IPs at rest, H5); creates the tenant's keys on first use. */
  fieldCipher(tenantId: string): Promise<FieldCipher>;
}

declare module 'fastify' {
  interface FastifyInstance {
    vault: VaultApi;
  }
}
