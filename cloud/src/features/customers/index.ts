import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import { deletedResponse, type IdParams, idParams } from '../sites/index.js';
import {
  type CustomerInput,
  createCustomerBody,
  customerListResponse,
  customerResponse,
  updateCustomerBody,
} from './schemas.js';
import { changeCustomer, createCustomer, getCustomer, getCustomers, removeCustomer } from './service.js';

export { customerNotFound } from './errors.js';
export { customerExists } from './repository.js';

/** The tenant's hosting clients (CRM data): hosting staff read and write them. */
const customersFeature: FastifyPluginAsync<{ now?: () => number }> = async (fastify, { now = Date.now }) => {
  fastify.get(
    '/api/customers',
    { config: { access: 'hosting' }, schema: { response: { 200: customerListResponse } } },
    async (request) => ok({ customers: await getCustomers(fastify.db, principalOf(request)) }),
  );

  fastify.get<{ Params: IdParams }>(
    '/api/customers/:id',
    { config: { access: 'hosting' }, schema: { params: idParams, response: { 200: customerResponse } } },
    async (request) => ok(await getCustomer(fastify.db, principalOf(request), request.params.id)),
  );

  fastify.post<{ Body: CustomerInput & { name: string } }>(
    '/api/customers',
    {
      config: { access: 'hosting' },
      schema: { body: createCustomerBody, response: { 201: customerResponse } },
    },
    async (request, reply) => {
      const customer = await createCustomer(fastify.db, principalOf(request), request.body, now());
      return reply.status(201).send(ok(customer));
    },
  );

  fastify.patch<{ Params: IdParams; Body: CustomerInput }>(
    '/api/customers/:id',
    {
      config: { access: 'hosting' },
      schema: { params: idParams, body: updateCustomerBody, response: { 200: customerResponse } },
    },
    async (request) =>
      ok(await changeCustomer(fastify.db, principalOf(request), request.params.id, request.body)),
  );

  fastify.delete<{ Params: IdParams }>(
    '/api/customers/:id',
    { config: { access: 'hosting' }, schema: { params: idParams, response: { 200: deletedResponse } } },
    async (request) => {
      await removeCustomer(fastify.db, principalOf(request), request.params.id);
      return ok({ id: request.params.id });
    },
  );
};

export default customersFeature;
