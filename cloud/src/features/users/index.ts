import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import {
  type CreateUserBody,
  createdUserResponse,
  createUserBody,
  type ListUsersQuery,
  listUsersQuery,
  type UpdateUserBody,
  updateUserBody,
  userIdParams,
  userListResponse,
  userResponse,
} from './schemas.js';
import { createUser, getUser, listUsers, updateUser } from './service.js';

/** Users of the caller's tenant (admin functions): list, read, create, change role or customer, disable. */
const usersFeature: FastifyPluginAsync = async (fastify) => {
  fastify.get<{ Querystring: ListUsersQuery }>(
    '/api/users',
    {
      config: { access: 'admin' },
      schema: { querystring: listUsersQuery, response: { 200: userListResponse } },
    },
    async (request) =>
      ok(
        await listUsers(fastify.db, principalOf(request), {
          cursor: request.query.cursor,
          limit: request.query.limit,
        }),
      ),
  );

  fastify.get<{ Params: { id: string } }>(
    '/api/users/:id',
    { config: { access: 'admin' }, schema: { params: userIdParams, response: { 200: userResponse } } },
    async (request) => ok(await getUser(fastify.db, principalOf(request), request.params.id)),
  );

  fastify.post<{ Body: CreateUserBody }>(
    '/api/users',
    { config: { access: 'admin' }, schema: { body: createUserBody, response: { 201: createdUserResponse } } },
    async (request, reply) => {
      const { email, role, customerId, password } = request.body;
      const created = await createUser(
        fastify.db,
        principalOf(request),
        { email, role, customerId: customerId ?? null, password },
        Date.now(),
      );
      return reply.status(201).send(ok(created));
    },
  );

  fastify.patch<{ Params: { id: string }; Body: UpdateUserBody }>(
    '/api/users/:id',
    {
      config: { access: 'admin' },
      schema: { params: userIdParams, body: updateUserBody, response: { 200: userResponse } },
    },
    async (request) =>
      ok(await updateUser(fastify.db, principalOf(request), request.params.id, request.body, Date.now())),
  );
};

export default usersFeature;
