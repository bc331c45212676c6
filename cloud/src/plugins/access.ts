import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { USER_ROLES, type UserRole } from '../db/schema.js';
import { AppError } from '../http/errors.js';

/**
 * Who may call what, from the original design's permission matrix. A route names one permission in
 * `config.access`; registering a route without one fails, so no route is ever open by accident.
 * Tenancy is not a permission: every data-reading service takes the caller's Principal and filters on it.
 */
export const PERMISSIONS = {
  /** No login (health probes, login itself). */
  public: USER_ROLES,
  /** The profitability calculator: everyone logged in. */
  calculator: USER_ROLES,
  /** Fleet reads: staff see their tenant, customers only their own miners (enforced by the services). */
  fleet: ['owner', 'admin', 'mining_site', 'customer'],
  /** Portal Lite (/api/v1/portal/*): a hosting client reading its own miners, by customer login or API key. */
  portal: ['customer'],
  /** CRM and hosting data (sites, customers, agents, assignments, commands). */
  hosting: ['owner', 'admin', 'mining_site'],
  /** Admin functions: users, API keys, enrollment, audit. */
  admin: ['owner', 'admin'],
} as const satisfies Record<string, readonly UserRole[]>;

export type Permission = keyof typeof PERMISSIONS;

/** The authenticated caller, from the verified access token (or API key). */
export interface Principal {
  userId: string;
  tenantId: string;
  role: UserRole;
  /** Set only for the customer role. */
  customerId: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route: the permission a caller needs. */
    access?: Permission;
  }
  interface FastifyRequest {
    /** Set on every non-public route before the handler runs. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /**
     * Turns request credentials into a Principal or throws 401 AUTH_REQUIRED. Provided by the auth feature
     * (bearer tokens, API keys); access only decides whether that principal's role may pass.
     */
    identify: (request: FastifyRequest) => Promise<Principal>;
  }
}

/** The Principal of a request that passed a non-public route's check. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error(`${request.routeOptions.url} is public: no principal`);
  return request.principal;
}

export function forbidden(): AppError {
  return new AppError('AUTH_FORBIDDEN', 403, 'Your role does not allow this');
}

/** Routes that plugins we do not own register (the OpenAPI UI), all public documentation. */
const DOCUMENTATION_PREFIX = '/docs';

const accessPlugin: FastifyPluginAsync = async (fastify) => {
  fastify.decorateRequest('principal', null);
  fastify.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) {
      if (route.url.startsWith(DOCUMENTATION_PREFIX)) return;
      throw new Error(`${route.method} ${route.url} declares no config.access permission`);
    }
    if (!Object.hasOwn(PERMISSIONS, access)) {
      throw new Error(`${route.method} ${route.url} names an unknown permission: ${access}`);
    }
    if (access === 'public') return;
    const allowed: readonly UserRole[] = PERMISSIONS[access];
    const check = async (request: FastifyRequest) => {
      const principal = await fastify.identify(request);
      if (!allowed.includes(principal.role)) throw forbidden();
      request.principal = principal;
    };
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined ? [check] : [check, ...(Array.isArray(existing) ? existing : [existing])];
  });
};

export default fp(accessPlugin, { name: 'access' });
