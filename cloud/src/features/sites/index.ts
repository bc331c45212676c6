import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import {
  createSiteBody,
  deletedResponse,
  type IdParams,
  idParams,
  type SiteInput,
  siteListResponse,
  siteResponse,
  updateSiteBody,
} from './schemas.js';
import { changeSite, createSite, getSite, getSites, removeSite } from './service.js';

export { isForeignKeyViolation, isUniqueViolation } from './constraints.js';
export { deletedResponse, type IdParams, idParams } from './schemas.js';

/** Sites of the caller's tenant: hosting staff read them, admins write them. */
const sitesFeature: FastifyPluginAsync<{ now?: () => number }> = async (fastify, { now = Date.now }) => {
  fastify.get(
    '/api/sites',
    { config: { access: 'hosting' }, schema: { response: { 200: siteListResponse } } },
    async (request) => ok({ sites: await getSites(fastify.db, principalOf(request)) }),
  );

  fastify.get<{ Params: IdParams }>(
    '/api/sites/:id',
    { config: { access: 'hosting' }, schema: { params: idParams, response: { 200: siteResponse } } },
    async (request) => ok(await getSite(fastify.db, principalOf(request), request.params.id)),
  );

  fastify.post<{ Body: SiteInput & { name: string } }>(
    '/api/sites',
    { config: { access: 'admin' }, schema: { body: createSiteBody, response: { 201: siteResponse } } },
    async (request, reply) => {
      const site = await createSite(fastify.db, principalOf(request), request.body, now());
      return reply.status(201).send(ok(site));
    },
  );

  fastify.patch<{ Params: IdParams; Body: SiteInput }>(
    '/api/sites/:id',
    {
      config: { access: 'admin' },
      schema: { params: idParams, body: updateSiteBody, response: { 200: siteResponse } },
    },
    async (request) =>
      ok(await changeSite(fastify.db, principalOf(request), request.params.id, request.body)),
  );

  fastify.delete<{ Params: IdParams }>(
    '/api/sites/:id',
    { config: { access: 'admin' }, schema: { params: idParams, response: { 200: deletedResponse } } },
    async (request) => {
      await removeSite(fastify.db, principalOf(request), request.params.id);
      return ok({ id: request.params.id });
    },
  );
};

export default sitesFeature;
