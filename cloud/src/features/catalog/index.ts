import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../db/index.js';
import { ok } from '../../http/envelope.js';
import type { Cache } from '../../platform/index.js';
import { principalOf } from '../../plugins/access.js';
import { parseCatalogCsv } from './csv.js';
import { deletedResponse, modelBody, modelListResponse, modelParams, modelResponse } from './schemas.js';
import {
  type CatalogModel,
  createModel,
  deleteModel,
  getModel,
  listModels,
  type ModelInput,
  seedShippedCatalog,
  updateModel,
} from './service.js';

export { modelKey } from './csv.js';
export { type CatalogModel, findModel, modelIndex } from './service.js';

/** The repository's catalog: data/miner-models.csv (the same path from src/ and dist/). */
export const DEFAULT_CATALOG_CSV = new URL('../../../../data/miner-models.csv', import.meta.url);

const CATALOG_FRESH_MS = 60_000;
const CATALOG_STALE_MS = 600_000;
const cacheKey = (tenantId: string) => `catalog:${tenantId}`;

/** The tenant's effective catalog, cached (admin writes invalidate it): the calculator and portal read it. */
export function tenantCatalog(cache: Cache, db: Db, tenantId: string): Promise<CatalogModel[]> {
  return cache.cached(cacheKey(tenantId), CATALOG_FRESH_MS, CATALOG_STALE_MS, () => listModels(db, tenantId));
}

export interface CatalogOptions {
  /** The shipped catalog CSV; default data/miner-models.csv. */
  csv?: URL | string;
  now?: () => number;
}

/**
 * The miner model catalog: the shipped CSV is written into miner_model on every start (idempotent), every
 * logged-in user reads it (calculator), admins add models or override shipped figures for their tenant.
 */
const catalogFeature: FastifyPluginAsync<CatalogOptions> = async (
  fastify,
  { csv = DEFAULT_CATALOG_CSV, now = Date.now },
) => {
  await seedShippedCatalog(fastify.db, parseCatalogCsv(await readFile(csv, 'utf8')), now());
  const changed = (tenantId: string) => fastify.platform.cache.invalidate(cacheKey(tenantId));

  fastify.get(
    '/api/catalog/models',
    { config: { access: 'calculator' }, schema: { response: { 200: modelListResponse } } },
    async (request) => {
      const { tenantId } = principalOf(request);
      return ok({ models: await tenantCatalog(fastify.platform.cache, fastify.db, tenantId) });
    },
  );

  fastify.get<{ Params: { id: string } }>(
    '/api/catalog/models/:id',
    { config: { access: 'calculator' }, schema: { params: modelParams, response: { 200: modelResponse } } },
    async (request) => ok(await getModel(fastify.db, principalOf(request).tenantId, request.params.id)),
  );

  fastify.post<{ Body: ModelInput }>(
    '/api/catalog/models',
    { config: { access: 'admin' }, schema: { body: modelBody, response: { 201: modelResponse } } },
    async (request, reply) => {
      const principal = principalOf(request);
      const created = await createModel(fastify.db, principal, request.body, now());
      await changed(principal.tenantId);
      reply.code(201);
      return ok(created);
    },
  );

  fastify.put<{ Params: { id: string }; Body: ModelInput }>(
    '/api/catalog/models/:id',
    {
      config: { access: 'admin' },
      schema: { params: modelParams, body: modelBody, response: { 200: modelResponse } },
    },
    async (request) => {
      const principal = principalOf(request);
      const updated = await updateModel(fastify.db, principal, request.params.id, request.body, now());
      await changed(principal.tenantId);
      return ok(updated);
    },
  );

  fastify.delete<{ Params: { id: string } }>(
    '/api/catalog/models/:id',
    { config: { access: 'admin' }, schema: { params: modelParams, response: { 200: deletedResponse } } },
    async (request) => {
      const principal = principalOf(request);
      await deleteModel(fastify.db, principal, request.params.id);
      await changed(principal.tenantId);
      return ok({ id: request.params.id, deleted: true });
    },
  );
};

export default catalogFeature;
