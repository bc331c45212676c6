import { randomBytes } from 'node:crypto';
import { KEY_BYTES, type KeyWrapper, VaultError } from '@hashinsight/vault';
import type { DataKeyKind, VaultDataKeyTable, VaultDb } from './tables.js';

// A tenant's data keys (DEKs): created on first use, wrapped by the master key, unwrapped into memory on demand.
// The database stays the source of truth for which versions exist and which are retired: every use reads the
// row, and only the unwrap result is cached (by the wrapped bytes, so a rewrapped or retired row misses it).

/** AES-GCM with random 96-bit IVs stays far from collisions below 2^32 encryptions per key (NIST SP 800-38D). */
export const DEFAULT_ROTATE_AFTER_OPS = 2 ** 30;

export interface DataKey {
  version: number;
  key: Buffer;
}

/** What a wrapped data key is bound to: another tenant's or kind's row cannot be swapped in. */
export const dataKeyContext = (tenantId: string, kind: DataKeyKind, version: number) =>
  `dek|${tenantId}|${kind}|${version}`;

export class DataKeys {
  private readonly unwrapped = new Map<string, Buffer>();

  constructor(
    private readonly wrapper: KeyWrapper,
    private readonly now: () => number,
    private readonly rotateAfterOps: number,
  ) {}

  get masterKey(): KeyWrapper {
    return this.wrapper;
  }

  /** Unwraps one stored row; VAULT_KEY_UNAVAILABLE for a retired key or a master-key version not held. */
  async open(row: VaultDataKeyTable): Promise<Buffer> {
    if (row.retired_at !== null || row.wrapped_key === '') {
      throw new VaultError(
        'VAULT_KEY_UNAVAILABLE',
        `data key version ${row.version} is retired: below the minimum decryption version`,
      );
    }
    const cacheKey = `${row.tenant_id}|${row.kind}|${row.version}|${row.kek_version}|${row.wrapped_key}`;
    const cached = this.unwrapped.get(cacheKey);
    if (cached !== undefined) return cached;
    const key = await this.wrapper.unwrap(
      { version: row.kek_version, blob: Buffer.from(row.wrapped_key, 'base64') },
      dataKeyContext(row.tenant_id, row.kind, row.version),
    );
    this.unwrapped.set(cacheKey, key);
    return key;
  }

  /** A data key by version, retired ones refused. */
  async byVersion(db: VaultDb, tenantId: string, kind: DataKeyKind, version: number): Promise<Buffer> {
    const row = await db
      .selectFrom('vault_data_key')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .where('version', '=', version)
      .executeTakeFirst();
    if (row === undefined) {
      throw new VaultError('VAULT_KEY_UNAVAILABLE', `data key version ${version} does not exist`);
    }
    return this.open(row);
  }

  /** The newest unretired key of `kind`, created (version 1) the first time. */
  async current(db: VaultDb, tenantId: string, kind: DataKeyKind): Promise<DataKey> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = await db
        .selectFrom('vault_data_key')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .where('retired_at', 'is', null)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row !== undefined) return { version: row.version, key: await this.open(row) };
      await this.create(db, tenantId, kind);
    }
    throw new Error('no data key after creating one');
  }

  /**
   * The key to encrypt with, counted: each call is one encryption. Past the threshold a new version is created,
   * so the next encryption uses a fresh key (the counted one still finishes this one).
   */
  async forEncryption(db: VaultDb, tenantId: string, ops = 1): Promise<DataKey> {
    const key = await this.current(db, tenantId, 'data');
    await this.count(db, tenantId, key.version, ops);
    return key;
  }

  /** Adds `ops` encryptions to a data key; rotates when it passed the threshold. */
  async count(db: VaultDb, tenantId: string, version: number, ops: number): Promise<void> {
    if (ops <= 0) return;
    const counted = await db
      .updateTable('vault_data_key')
      .set((eb) => ({ op_count: eb('op_count', '+', ops) }))
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'data')
      .where('version', '=', version)
      .returning('op_count')
      .executeTakeFirst();
    if (counted !== undefined && Number(counted.op_count) >= this.rotateAfterOps) {
      await this.create(db, tenantId, 'data', version + 1);
    }
  }

  /**
   * Creates version `version` (default: one above every existing version, retired ones included) of a tenant's
   * key; a concurrent creator of the same version wins quietly. Returns the version.
   */
  async create(db: VaultDb, tenantId: string, kind: DataKeyKind, version?: number): Promise<number> {
    const next =
      version ??
      Number(
        (
          await db
            .selectFrom('vault_data_key')
            .select((eb) => eb.fn.max('version').as('max'))
            .where('tenant_id', '=', tenantId)
            .where('kind', '=', kind)
            .executeTakeFirst()
        )?.max ?? 0,
      ) + 1;
    const wrapped = await this.wrapper.wrap(randomBytes(KEY_BYTES), dataKeyContext(tenantId, kind, next));
    await db
      .insertInto('vault_data_key')
      .values({
        tenant_id: tenantId,
        kind,
        version: next,
        wrapped_key: wrapped.blob.toString('base64'),
        kek_version: wrapped.version,
        op_count: 0,
        created_at: this.now(),
        retired_at: null,
        row_version: 1,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'version']).doNothing())
      .execute();
    return next;
  }
}
