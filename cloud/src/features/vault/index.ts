import type { KeyWrapper } from '@hashinsight/vault';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import { credentialNotFound } from './errors.js';
import { needRewrap, protectSigningKeys, retireUnused, rewrap } from './rewrap.js';
import {
  credentialIdParams,
  credentialListResponse,
  credentialRefResponse,
  deletedCredentialResponse,
  type PutCredentialBody,
  putCredentialBody,
  rotateBody,
  rotateResponse,
  vaultStatusResponse,
} from './schemas.js';
import { scopeOf } from './scope.js';
import { Vault } from './service.js';

export type {
  CredentialPurpose,
  CredentialScope,
  CredentialVersionRef,
  FieldCipher,
  PlainLogin,
  VaultApi,
} from './api.js';

/** How long after a rotation old data keys stay: several times the IP cipher cache of every instance (10 s). */
const RETIRE_GRACE_MS = 60_000;

export { derivedMasterKey, loadMasterKey, MASTER_KEY_FILE } from './master-key.js';
export { rewrap } from './rewrap.js';
export { Vault } from './service.js';

export interface VaultFeatureOptions {
  masterKey: KeyWrapper;
  now?: () => number;
  /** Encryptions per data key before it rotates by itself. */
  rotateAfterOps?: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The credential vault as `fastify.vault`, the write-only credentials API and the vault's status and rotation.
 * At start it wraps a signing key still in the clear; on an agent's birth it sends the agent its credentials.
 */
const vaultFeature: FastifyPluginAsync<VaultFeatureOptions> = async (fastify, options) => {
  const vault = new Vault({
    db: fastify.db,
    broker: fastify.broker,
    masterKey: options.masterKey,
    logger: fastify.log as never,
    ...(options.now ? { now: options.now } : {}),
    ...(options.rotateAfterOps === undefined ? {} : { rotateAfterOps: options.rotateAfterOps }),
  });
  fastify.decorate('vault', vault);
  await protectSigningKeys(vault);

  // Once per birth across instances (the events inbox); a failure rolls back and the event comes again.
  const stopConsumer = await fastify.platform.events.consume(
    'agent',
    'vault-credentials',
    async (event, trx) => {
      if (event.type !== 'agent.online' || typeof event.payload.agentId !== 'string') return;
      const sent = await vault.deliverToAgent(trx as never, event.payload.agentId);
      if (sent > 0) fastify.log.info({ agentId: event.payload.agentId, sent }, 'credentials sent to agent');
    },
  );
  // A master key with a newer version (or a data key rotated by another instance) leaves rows to move: the job
  // runs once per start in the background; CAS writes make instances running it together harmless.
  let startupRewrap: Promise<void> | undefined;
  fastify.addHook('onReady', async () => {
    startupRewrap = rewrap(vault).then(
      (result) => {
        if (result.rewrapped > 0)
          fastify.log.info(result, 'vault rewrap at start moved secrets to the newest keys');
      },
      (error: unknown) =>
        fastify.log.error({ err: error }, 'vault rewrap at start failed; it runs again at the next'),
    );
  });
  fastify.addHook('onClose', async () => {
    await startupRewrap;
    await stopConsumer();
    await vault.flushFieldCounts();
  });

  fastify.put<{ Body: PutCredentialBody }>(
    '/api/credentials',
    {
      config: { access: 'admin' },
      schema: { body: putCredentialBody, response: { 200: credentialRefResponse } },
    },
    async (request) => {
      const { scope, purpose, username, password } = request.body;
      const ref = await vault.putCredential(principalOf(request).tenantId, scope, purpose, {
        username,
        password,
      });
      return ok({ id: ref.credentialId, version: ref.version });
    },
  );

  fastify.get(
    '/api/credentials',
    { config: { access: 'hosting' }, schema: { response: { 200: credentialListResponse } } },
    async (request) => {
      const tenantId = principalOf(request).tenantId;
      const rows = await vault.db
        .selectFrom('credential')
        .select(['id', 'scope_kind', 'scope_key', 'agent_id', 'miner_id', 'model', 'site_id', 'purpose'])
        .select(['active_version', 'updated_at'])
        .select((eb) =>
          eb
            .selectFrom('credential_version')
            .select((inner) => inner.fn.max('credential_version.version').as('v'))
            .whereRef('credential_version.credential_id', '=', 'credential.id')
            .where('credential_version.state', '=', 'pending')
            .as('pending_version'),
        )
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute();
      return ok({
        credentials: rows.map((row) => ({
          id: row.id,
          scope: scopeOf(row),
          purpose: row.purpose,
          version: row.active_version,
          pendingVersion: row.pending_version === null ? null : Number(row.pending_version),
          updatedAt: new Date(Number(row.updated_at)).toISOString(),
        })),
      });
    },
  );

  fastify.delete<{ Params: { id: string } }>(
    '/api/credentials/:id',
    {
      config: { access: 'admin' },
      schema: { params: credentialIdParams, response: { 200: deletedCredentialResponse } },
    },
    async (request) => {
      const deleted = await vault.db
        .deleteFrom('credential')
        .where('tenant_id', '=', principalOf(request).tenantId)
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw credentialNotFound();
      return ok({ id: request.params.id });
    },
  );

  fastify.get(
    '/api/vault/status',
    { config: { access: 'admin' }, schema: { response: { 200: vaultStatusResponse } } },
    async (request) => {
      const tenantId = principalOf(request).tenantId;
      const dataKeys = await vault.db
        .selectFrom('vault_data_key')
        .select(['version', 'kek_version', 'op_count', 'created_at', 'retired_at'])
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'data')
        .orderBy('version', 'desc')
        .execute();
      const credentials = await vault.db
        .selectFrom('credential')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return ok({
        masterKeyVersion: options.masterKey.currentVersion,
        masterKeyVersions: [...options.masterKey.versions],
        dataKeys: dataKeys.map((key) => ({
          version: key.version,
          masterKeyVersion: key.kek_version,
          operations: Number(key.op_count),
          createdAt: iso(Number(key.created_at)),
          retiredAt: iso(key.retired_at === null ? null : Number(key.retired_at)),
        })),
        credentials: Number(credentials?.n ?? 0),
        needRewrap: await needRewrap(vault, tenantId),
      });
    },
  );

  const retireTimers = new Set<NodeJS.Timeout>();
  const retireLater = (tenantId: string) => {
    const timer = setTimeout(() => {
      retireTimers.delete(timer);
      retireUnused(vault, tenantId, { graceMs: RETIRE_GRACE_MS }).then(
        (versions) => {
          if (versions.length > 0) fastify.log.info({ tenantId, versions }, 'old data keys retired');
        },
        (error: unknown) => fastify.log.warn({ err: error, tenantId }, 'old data keys not retired'),
      );
    }, RETIRE_GRACE_MS + 1000);
    timer.unref();
    retireTimers.add(timer);
  };
  fastify.addHook('onClose', async () => {
    for (const timer of retireTimers) clearTimeout(timer);
  });

  fastify.post<{ Body: { retireOld?: boolean } | undefined }>(
    '/api/vault/rotate',
    { config: { access: 'admin' }, schema: { body: rotateBody, response: { 200: rotateResponse } } },
    async (request) => {
      const tenantId = principalOf(request).tenantId;
      await vault.keys.current(vault.db, tenantId, 'data'); // a tenant's first rotation starts from version 1
      const dataKeyVersion = await vault.keys.create(vault.db, tenantId, 'data');
      const { rewrapped } = await rewrap(vault, { tenantId });
      // Retired only once every instance's cached ciphers know the new version; this instance tries again then
      // (the next rotation or rotate call retires whatever is left if it stops first).
      const retireOld = request.body?.retireOld !== false;
      const retiredVersions = retireOld
        ? await retireUnused(vault, tenantId, { graceMs: RETIRE_GRACE_MS })
        : [];
      if (retireOld) retireLater(tenantId);
      request.log.info({ tenantId, dataKeyVersion, rewrapped, retiredVersions }, 'vault keys rotated');
      return ok({ dataKeyVersion, rewrapped, retiredVersions });
    },
  );
};

export default fp(vaultFeature, { name: 'vault', dependencies: ['db', 'broker', 'platform'] });
