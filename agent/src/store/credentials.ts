import type Database from 'better-sqlite3';

// The sealed-credential cache: miner logins exactly as the cloud sealed them to this agent's box key. They stay
// sealed at rest; the command executor opens one only for the call to the miner that needs it.

export interface CredentialHeader {
  credentialId: string;
  version: number;
  /** CredentialScope value. */
  scope: number;
  /** Miners it applies to; empty: the default for its scope. */
  minerIds: string[];
}

export interface CachedCredential {
  credentialId: string;
  version: number;
  /** The SealedCredential bytes as received. */
  payload: Buffer;
}

export class CredentialCache {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      upsert: db.prepare<[string, number, number, string, Uint8Array, number]>(
        `INSERT INTO sealed_credential (credential_id, version, scope, miner_ids, payload, received_ms)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (credential_id) DO UPDATE SET version = excluded.version, scope = excluded.scope,
           miner_ids = excluded.miner_ids, payload = excluded.payload, received_ms = excluded.received_ms
         WHERE excluded.version > sealed_credential.version`,
      ),
      byId: db.prepare<[string], { credential_id: string; version: number; payload: Buffer }>(
        'SELECT credential_id, version, payload FROM sealed_credential WHERE credential_id = ?',
      ),
      forMiner: db.prepare<[number, string], { credential_id: string; version: number; payload: Buffer }>(
        `SELECT c.credential_id, c.version, c.payload FROM sealed_credential c, json_each(c.miner_ids) m
         WHERE c.scope = ? AND m.value = ? ORDER BY c.received_ms DESC, c.credential_id LIMIT 1`,
      ),
      scopeDefault: db.prepare<[number], { credential_id: string; version: number; payload: Buffer }>(
        `SELECT credential_id, version, payload FROM sealed_credential WHERE scope = ? AND miner_ids = '[]'
         ORDER BY received_ms DESC, credential_id LIMIT 1`,
      ),
    };
  }

  /** Keeps a sealed credential unless a version at least as new is held; true when stored. */
  put(header: CredentialHeader, payload: Uint8Array, nowMs: number): boolean {
    const result = this.statements.upsert.run(
      header.credentialId,
      header.version,
      header.scope,
      JSON.stringify(header.minerIds),
      payload,
      nowMs,
    );
    return result.changes === 1;
  }

  get(credentialId: string): CachedCredential | undefined {
    const row = this.statements.byId.get(credentialId);
    return row && { credentialId: row.credential_id, version: row.version, payload: row.payload };
  }

  /** The login for `minerId` in `scope`: one naming the miner, else the scope's default, else none. */
  forMiner(minerId: string, scope: number): CachedCredential | undefined {
    const row = this.statements.forMiner.get(scope, minerId) ?? this.statements.scopeDefault.get(scope);
    return row && { credentialId: row.credential_id, version: row.version, payload: row.payload };
  }
}
