import type Database from 'better-sqlite3';

// The sealed-credential cache: miner logins exactly as the cloud sealed them to this agent's box key. They stay
// sealed at rest; the agent opens one only for the call to the miner that needs it.
//
// Versions are kept apart. A version that would replace a login the agent already holds for a miner (a newer
// version of the same credential, or a new miner login where a default applied) arrives `pending`: the old login
// keeps being used until the miner confirmed the new one (update_credentials, which `claims` the version while it
// runs), or until the old one is refused and the pending one works (see commands/logins.ts). Then it is
// `promote`d: it becomes the active version and older versions of that credential are dropped.

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
  /** CredentialScope value. */
  scope: number;
  /** Not used for the miner yet: waiting for the miner to confirm it. */
  pending: boolean;
  /** The SealedCredential bytes as received. */
  payload: Buffer;
}

interface Row {
  credential_id: string;
  version: number;
  scope: number;
  pending: number;
  payload: Buffer;
}

const toCached = (row: Row): CachedCredential => ({
  credentialId: row.credential_id,
  version: row.version,
  scope: row.scope,
  pending: row.pending === 1,
  payload: row.payload,
});

const COLUMNS = 'c.credential_id, c.version, c.scope, c.pending, c.payload';

export class CredentialCache {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      newest: db.prepare<[string], Row>(
        `SELECT ${COLUMNS} FROM sealed_credential c WHERE credential_id = ? ORDER BY version DESC LIMIT 1`,
      ),
      exact: db.prepare<[string, number], Row>(
        `SELECT ${COLUMNS} FROM sealed_credential c WHERE credential_id = ? AND version = ?`,
      ),
      insert: db.prepare<[string, number, number, string, Uint8Array, number, number]>(
        `INSERT INTO sealed_credential (credential_id, version, scope, miner_ids, payload, received_ms, pending)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      dropSuperseded: db.prepare<[string, number]>(
        `DELETE FROM sealed_credential WHERE credential_id = ? AND version < ? AND pending = 1
         AND claimed_by IS NULL`,
      ),
      forMiner: db.prepare<[number, number, string], Row>(
        `SELECT ${COLUMNS} FROM sealed_credential c, json_each(c.miner_ids) m
         WHERE c.scope = ? AND c.pending = ? AND m.value = ? ORDER BY c.received_ms DESC, c.credential_id LIMIT 1`,
      ),
      scopeDefault: db.prepare<[number, number], Row>(
        `SELECT ${COLUMNS} FROM sealed_credential c WHERE c.scope = ? AND c.pending = ? AND c.miner_ids = '[]'
         ORDER BY c.received_ms DESC, c.credential_id LIMIT 1`,
      ),
      heldForMiner: db.prepare<[string], { one: number }>(
        `SELECT 1 AS one FROM sealed_credential c, json_each(c.miner_ids) m WHERE c.pending = 0 AND m.value = ?
         LIMIT 1`,
      ),
      heldDefault: db.prepare<[], { one: number }>(
        `SELECT 1 AS one FROM sealed_credential WHERE pending = 0 AND miner_ids = '[]' LIMIT 1`,
      ),
      unclaimedForMiner: db.prepare<[number, string], Row>(
        `SELECT ${COLUMNS} FROM sealed_credential c, json_each(c.miner_ids) m
         WHERE c.scope = ? AND c.pending = 1 AND c.claimed_by IS NULL AND m.value = ?
         ORDER BY c.received_ms DESC LIMIT 1`,
      ),
      unclaimedDefault: db.prepare<[number], Row>(
        `SELECT ${COLUMNS} FROM sealed_credential c WHERE c.scope = ? AND c.pending = 1 AND c.claimed_by IS NULL
         AND c.miner_ids = '[]' ORDER BY c.received_ms DESC LIMIT 1`,
      ),
      claim: db.prepare<[string | null, string, number]>(
        'UPDATE sealed_credential SET claimed_by = ? WHERE credential_id = ? AND version = ?',
      ),
      releaseFinished: db.prepare<[]>(
        `UPDATE sealed_credential SET claimed_by = NULL WHERE claimed_by IS NOT NULL AND claimed_by NOT IN
         (SELECT command_id FROM command_target WHERE state IN ('received', 'running', 'observing'))`,
      ),
      activate: db.prepare<[string, number]>(
        'UPDATE sealed_credential SET pending = 0, claimed_by = NULL WHERE credential_id = ? AND version = ?',
      ),
      dropOlder: db.prepare<[string, number]>(
        'DELETE FROM sealed_credential WHERE credential_id = ? AND version < ?',
      ),
      discard: db.prepare<[string, number]>(
        'DELETE FROM sealed_credential WHERE credential_id = ? AND version = ? AND pending = 1',
      ),
    };
  }

  /**
   * Keeps a sealed credential unless a version at least as new is held; true when stored. It is pending when it
   * could replace a login the agent already uses for one of its miners (a newer version, a miner's own login, a
   * default, in either scope), else usable at once: the first login the agent gets for them.
   */
  put(header: CredentialHeader, payload: Uint8Array, nowMs: number): boolean {
    return this.db.transaction(() => {
      const newest = this.statements.newest.get(header.credentialId);
      if (newest !== undefined && newest.version >= header.version) return false;
      // Any scope: a driver falls back to the other scope's login (commands/logins.ts).
      const replaces =
        newest !== undefined ||
        this.statements.heldDefault.get() !== undefined ||
        header.minerIds.some((minerId) => this.statements.heldForMiner.get(minerId) !== undefined);
      this.statements.insert.run(
        header.credentialId,
        header.version,
        header.scope,
        JSON.stringify(header.minerIds),
        payload,
        nowMs,
        replaces ? 1 : 0,
      );
      // An older pending version nobody carries to a miner is superseded by this one.
      this.statements.dropSuperseded.run(header.credentialId, header.version);
      return true;
    })();
  }

  /** The newest version held of a credential, pending or not (pool passwords, update_credentials). */
  get(credentialId: string): CachedCredential | undefined {
    const row = this.statements.newest.get(credentialId);
    return row && toCached(row);
  }

  version(credentialId: string, version: number): CachedCredential | undefined {
    const row = this.statements.exact.get(credentialId, version);
    return row && toCached(row);
  }

  /** The login in use for `minerId` in `scope`: one naming the miner, else the scope's default, else none. */
  forMiner(minerId: string, scope: number): CachedCredential | undefined {
    const row = this.statements.forMiner.get(scope, 0, minerId) ?? this.statements.scopeDefault.get(scope, 0);
    return row && toCached(row);
  }

  /** A pending login for `minerId` that no update_credentials is carrying: the one to try when the old is refused. */
  unclaimedPending(minerId: string, scope: number): CachedCredential | undefined {
    const row =
      this.statements.unclaimedForMiner.get(scope, minerId) ?? this.statements.unclaimedDefault.get(scope);
    return row && toCached(row);
  }

  /** Marks a pending version as carried to its miner by `commandId` (null: released again). */
  claim(credentialId: string, version: number, commandId: string | null): void {
    this.statements.claim.run(commandId, credentialId, version);
  }

  /** Releases versions claimed by commands that no longer run (a restart failed them); returns how many. */
  releaseFinishedClaims(): number {
    return this.statements.releaseFinished.run().changes;
  }

  /** The miner confirmed this version: it is the one used from now on; older versions are dropped. */
  promote(credentialId: string, version: number): void {
    this.db.transaction(() => {
      this.statements.activate.run(credentialId, version);
      this.statements.dropOlder.run(credentialId, version);
    })();
  }

  /** Drops a pending version (it never reached the miner); the login in use stays. */
  discard(credentialId: string, version: number): void {
    this.statements.discard.run(credentialId, version);
  }
}
