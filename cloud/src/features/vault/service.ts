import { createHmac } from 'node:crypto';
import { agentTopic, hashinsight } from '@hashinsight/protocol';
import {
  associatedData,
  credentialAad,
  importPrivateKey,
  type KeyWrapper,
  keyIdOf,
  openBlob,
  type SigningKey,
  sealBlob,
  sealCredential,
  VaultError,
} from '@hashinsight/vault';
import type { Logger } from 'pino';
import type { Db } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Broker } from '../../plugins/broker.js';
import type {
  CredentialPurpose,
  CredentialScope,
  CredentialVersionRef,
  FieldCipher,
  PlainLogin,
  VaultApi,
} from './api.js';
import { agentDeliveries, credentialDeliveries, type Delivery } from './distribution.js';
import {
  agentCannotReceive,
  credentialNotFound,
  keyUnavailable,
  noSigningKey,
  versionNotPending,
} from './errors.js';
import { DataKeys, DEFAULT_ROTATE_AFTER_OPS } from './keys.js';
import { checkLogin, resolveScope } from './scope.js';
import { type CredentialState, type VaultDb, vaultDb } from './tables.js';

export interface VaultOptions {
  db: Db;
  broker: Broker;
  masterKey: KeyWrapper;
  logger: Logger;
  now?: () => number;
  /** Encryptions per data key before it is rotated (tests lower it). */
  rotateAfterOps?: number;
}

const SCOPE_OF_PURPOSE = {
  web: hashinsight.v1.CredentialScope.CREDENTIAL_SCOPE_MINER_WEB,
  api: hashinsight.v1.CredentialScope.CREDENTIAL_SCOPE_MINER_API,
  // A pool password travels with the miners of its set_pools command: no scope of its own on the wire.
  pool: hashinsight.v1.CredentialScope.CREDENTIAL_SCOPE_UNSPECIFIED,
} as const;

export const signingKeyContext = (id: string) => `signing-key|${id}`;

/** The credential vault (VaultApi) over the database, the broker and the master key. */
export class Vault implements VaultApi {
  readonly db: VaultDb;
  readonly keys: DataKeys;
  private readonly broker: Broker;
  private readonly log: Logger;
  readonly now: () => number;
  private readonly signers = new Map<string, SigningKey>();
  /** Field seals made per (tenant, data-key version) not yet added to op_count. */
  private readonly uncounted = new Map<string, { tenantId: string; version: number; ops: number }>();

  constructor(options: VaultOptions) {
    this.db = vaultDb(options.db);
    this.broker = options.broker;
    this.log = options.logger.child({ feature: 'vault' });
    this.now = options.now ?? Date.now;
    this.keys = new DataKeys(options.masterKey, this.now, options.rotateAfterOps ?? DEFAULT_ROTATE_AFTER_OPS);
  }

  async putCredential(
    tenantId: string,
    scope: CredentialScope,
    purpose: CredentialPurpose,
    login: PlainLogin,
  ): Promise<CredentialVersionRef> {
    const ref = await this.store(tenantId, scope, purpose, login, 'active');
    // Stored is what the caller asked for; a delivery that fails is retried when the agent next comes online.
    await this.deliver(tenantId, await credentialDeliveries(this.db, ref.credentialId)).catch(
      (error: unknown) => {
        this.log.warn(
          { err: error, credentialId: ref.credentialId },
          'credential stored; sending it to agents failed',
        );
      },
    );
    return ref;
  }

  stagePending(
    tenantId: string,
    scope: CredentialScope & { kind: 'miner' },
    purpose: Exclude<CredentialPurpose, 'pool'>,
    login: PlainLogin,
  ): Promise<CredentialVersionRef> {
    return this.store(tenantId, scope, purpose, login, 'pending');
  }

  /** Encrypts `login` as the next version of its slot (a new slot the first time, and always for pools). */
  private async store(
    tenantId: string,
    scope: CredentialScope,
    purpose: CredentialPurpose,
    login: PlainLogin,
    state: CredentialState,
  ): Promise<CredentialVersionRef> {
    checkLogin(login, purpose);
    if ((scope.kind === 'pool') !== (purpose === 'pool')) throw credentialNotFound();
    const nowMs = this.now();
    const newId = uuidv7(nowMs);
    const resolved = await resolveScope(this.db, tenantId, scope, newId);
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('credential')
        .values({
          id: newId,
          tenant_id: tenantId,
          purpose,
          ...resolved,
          active_version: null,
          last_version: 0,
          created_at: nowMs,
          updated_at: nowMs,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'scope_key', 'purpose']).doNothing())
        .execute();
      // Claims the next version; on PostgreSQL the row lock orders concurrent writers of one slot.
      const slot = await trx
        .updateTable('credential')
        .set((eb) => ({ last_version: eb('last_version', '+', 1), updated_at: nowMs }))
        .where('tenant_id', '=', tenantId)
        .where('scope_key', '=', resolved.scope_key)
        .where('purpose', '=', purpose)
        .returning(['id', 'last_version'])
        .executeTakeFirstOrThrow();
      const version = slot.last_version;
      const key = await this.keys.forEncryption(trx, tenantId);
      const plaintext = Buffer.from(JSON.stringify({ username: login.username, password: login.password }));
      const blob = sealBlob(
        key.key,
        plaintext,
        credentialAad(tenantId, resolved.scope_key, slot.id, version),
      );
      plaintext.fill(0);
      if (state === 'active') {
        await trx
          .updateTable('credential_version')
          .set({ state: 'inactive' })
          .where('credential_id', '=', slot.id)
          .where('state', '=', 'active')
          .execute();
        await trx
          .updateTable('credential')
          .set({ active_version: version })
          .where('id', '=', slot.id)
          .execute();
      }
      await trx
        .insertInto('credential_version')
        .values({
          credential_id: slot.id,
          version,
          tenant_id: tenantId,
          state,
          dek_version: key.version,
          ciphertext: blob.toString('base64'),
          created_at: nowMs,
          row_version: 1,
        })
        .execute();
      return { credentialId: slot.id, version };
    });
  }

  async activate(tenantId: string, ref: CredentialVersionRef): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const pending = await trx
        .selectFrom('credential_version')
        .select('state')
        .where('tenant_id', '=', tenantId)
        .where('credential_id', '=', ref.credentialId)
        .where('version', '=', ref.version)
        .executeTakeFirst();
      if (pending === undefined) throw credentialNotFound();
      if (pending.state === 'active') return; // a repeated confirmation
      if (pending.state !== 'pending') throw versionNotPending();
      await trx
        .updateTable('credential_version')
        .set({ state: 'inactive' })
        .where('credential_id', '=', ref.credentialId)
        .where('state', '=', 'active')
        .execute();
      await trx
        .updateTable('credential_version')
        .set({ state: 'active' })
        .where('credential_id', '=', ref.credentialId)
        .where('version', '=', ref.version)
        .execute();
      await trx
        .updateTable('credential')
        .set({ active_version: ref.version, updated_at: this.now() })
        .where('id', '=', ref.credentialId)
        .execute();
    });
  }

  async discardPending(tenantId: string, ref: CredentialVersionRef): Promise<void> {
    await this.db
      .deleteFrom('credential_version')
      .where('tenant_id', '=', tenantId)
      .where('credential_id', '=', ref.credentialId)
      .where('version', '=', ref.version)
      .where('state', '=', 'pending')
      .execute();
  }

  async sendSealed(
    tenantId: string,
    ref: CredentialVersionRef,
    agentId: string,
    minerIds: readonly string[],
  ): Promise<void> {
    await this.sendWith(this.db, tenantId, { ...ref, agentId, minerIds: [...minerIds] });
  }

  /** Seals one version to one agent and publishes it (QoS 1); `db` may be a transaction. */
  private async sendWith(db: VaultDb, tenantId: string, delivery: Delivery): Promise<void> {
    const agent = await db
      .selectFrom('agent')
      .select(['box_public_key', 'revoked_at'])
      .where('id', '=', delivery.agentId)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (agent === undefined) throw credentialNotFound();
    if (agent.box_public_key === null || agent.revoked_at !== null) throw agentCannotReceive();
    const { login, purpose } = await this.openWith(db, tenantId, delivery);
    const sealed = sealCredential(
      {
        credentialId: delivery.credentialId,
        version: delivery.version,
        scope: SCOPE_OF_PURPOSE[purpose],
        minerIds: delivery.minerIds,
        agentId: delivery.agentId,
      },
      login,
      { keyId: keyIdOf(agent.box_public_key), publicKey: agent.box_public_key },
      await this.signingKeyWith(db),
    );
    await this.broker.publish(agentTopic(delivery.agentId, 'credential'), sealed, { qos: 1, retain: false });
    this.log.debug(delivery, 'sealed credential sent');
  }

  /** Decrypts one stored version (active or pending) of the tenant: in memory only, for sealing. */
  async openWith(
    db: VaultDb,
    tenantId: string,
    ref: CredentialVersionRef,
  ): Promise<{ login: PlainLogin; purpose: CredentialPurpose }> {
    const row = await db
      .selectFrom('credential_version')
      .innerJoin('credential', 'credential.id', 'credential_version.credential_id')
      .select([
        'credential.scope_key',
        'credential.purpose',
        'credential_version.state',
        'credential_version.dek_version',
        'credential_version.ciphertext',
      ])
      .where('credential.tenant_id', '=', tenantId)
      .where('credential_version.credential_id', '=', ref.credentialId)
      .where('credential_version.version', '=', ref.version)
      .executeTakeFirst();
    if (row === undefined || row.state === 'inactive') throw credentialNotFound();
    let plaintext: Buffer;
    try {
      const key = await this.keys.byVersion(db, tenantId, 'data', row.dek_version);
      plaintext = openBlob(
        key,
        Buffer.from(row.ciphertext, 'base64'),
        credentialAad(tenantId, row.scope_key, ref.credentialId, ref.version),
      );
    } catch (error) {
      if (error instanceof VaultError) throw keyUnavailable(error);
      throw error;
    }
    const login = JSON.parse(plaintext.toString('utf8')) as PlainLogin;
    plaintext.fill(0);
    return { login, purpose: row.purpose };
  }

  /** Sends each delivery; one agent that cannot receive does not stop the others. */
  private async deliver(tenantId: string, deliveries: Delivery[], db: VaultDb = this.db): Promise<void> {
    for (const delivery of deliveries) {
      try {
        await this.sendWith(db, tenantId, delivery);
      } catch (error) {
        if ((error as { code?: string }).code !== 'VAULT_AGENT_NO_BOX_KEY') throw error;
        this.log.debug({ agentId: delivery.agentId }, 'agent has no box key: credential not sent');
      }
    }
  }

  /** Sends an agent every active credential that applies to its miners (on its birth). */
  async deliverToAgent(db: VaultDb, agentId: string): Promise<number> {
    const found = await agentDeliveries(db, agentId);
    if (found === undefined) return 0;
    await this.deliver(found.tenantId, found.deliveries, db);
    return found.deliveries.length;
  }

  signingKey(): Promise<SigningKey> {
    return this.signingKeyWith(this.db);
  }

  private async signingKeyWith(db: VaultDb): Promise<SigningKey> {
    const row = await db
      .selectFrom('command_signing_key')
      .select(['id', 'private_key', 'private_key_wrapped', 'kek_version'])
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row === undefined) throw noSigningKey();
    const cacheKey = `${row.id}|${row.kek_version}|${row.private_key_wrapped}`;
    const cached = this.signers.get(cacheKey);
    if (cached !== undefined) return cached;
    let pem: string;
    if (row.private_key_wrapped === '') {
      pem = row.private_key; // inserted after this vault started wrapping: wrapped by the next rewrap
    } else {
      try {
        pem = (
          await this.keys.masterKey.unwrap(
            { version: row.kek_version, blob: Buffer.from(row.private_key_wrapped, 'base64') },
            signingKeyContext(row.id),
          )
        ).toString('utf8');
      } catch (error) {
        throw keyUnavailable(error);
      }
    }
    const pair = importPrivateKey('ed25519', pem);
    const signer = { keyId: pair.keyId, privateKey: pair.privateKey };
    this.signers.clear();
    this.signers.set(cacheKey, signer);
    return signer;
  }

  async fieldCipher(tenantId: string): Promise<FieldCipher> {
    await this.flushFieldCounts();
    const current = await this.keys.current(this.db, tenantId, 'data');
    const indexKey = (await this.keys.current(this.db, tenantId, 'index')).key;
    const older = new Map<number, Buffer>([[current.version, current.key]]);
    const rows = await this.db
      .selectFrom('vault_data_key')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'data')
      .where('retired_at', 'is', null)
      .execute();
    for (const row of rows) if (!older.has(row.version)) older.set(row.version, await this.keys.open(row));
    const aad = (version: number, context: string) => associatedData('value', tenantId, version, context);
    const counter = `${tenantId}|${current.version}`;
    return {
      tenantId,
      keyVersion: current.version,
      seal: (plaintext, context) => {
        const entry = this.uncounted.get(counter) ?? { tenantId, version: current.version, ops: 0 };
        entry.ops += 1;
        this.uncounted.set(counter, entry);
        const blob = sealBlob(current.key, Buffer.from(plaintext, 'utf8'), aad(current.version, context));
        return `${current.version}.${blob.toString('base64')}`;
      },
      open: (sealed, context) => {
        const match = /^(\d{1,9})\.([A-Za-z0-9+/]+={0,2})$/.exec(sealed);
        if (match === null) throw new VaultError('VAULT_MALFORMED', 'not a sealed value');
        const version = Number(match[1]);
        const key = older.get(version);
        if (key === undefined) {
          throw new VaultError('VAULT_KEY_UNAVAILABLE', `data key version ${version} is not available`);
        }
        return openBlob(key, Buffer.from(match[2] ?? '', 'base64'), aad(version, context)).toString('utf8');
      },
      blindIndex: (value) => createHmac('sha256', indexKey).update(value, 'utf8').digest('hex'),
    };
  }

  /** Adds the field seals made since the last call to their data keys' op counts. */
  async flushFieldCounts(): Promise<void> {
    const pending = [...this.uncounted.values()];
    this.uncounted.clear();
    for (const { tenantId, version, ops } of pending) await this.keys.count(this.db, tenantId, version, ops);
  }
}
