import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { AppError } from '../http/errors.js';

export interface RateLimits {
  /** Login attempts per minute for one (client IP, email) pair. */
  loginPerMinute: number;
  /** API calls per minute for one principal (user), or one client IP before login. */
  apiPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { loginPerMinute: 10, apiPerMinute: 600 };

export interface RateLimitOptions {
  limits?: Partial<RateLimits>;
  /** Counters shared by every instance; unset: this process counts alone. */
  redis?: Redis | undefined;
  redisPrefix?: string;
}

const LOGIN_ROUTE = '/api/auth/login';
/** Probes and scrapes: a load balancer or Prometheus polling must never be throttled. */
const EXEMPT_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

function loginEmail(request: FastifyRequest): string {
  const body = request.body as { email?: unknown } | undefined;
  return typeof body?.email === 'string' ? body.email.trim().toLowerCase().slice(0, 254) : '';
}

/**
 * Rate limits: login per (IP, email), so guessing one account's password is slow without locking its owner
 * out from elsewhere; every other API route per principal, or per IP where there is none. Counted in
 * preHandler, after authentication (to know the principal) and body validation (to know the email). A Redis
 * outage lets requests through (logged) rather than taking the API down. 429 comes in the error envelope,
 * with Retry-After.
 */
const rateLimitPlugin: FastifyPluginAsync<RateLimitOptions> = async (fastify, options) => {
  const limits = { ...DEFAULT_RATE_LIMITS, ...options.limits };
  const isLogin = (request: FastifyRequest) => request.routeOptions.url === LOGIN_ROUTE;
  await fastify.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: 60_000,
    max: (request) => (isLogin(request) ? limits.loginPerMinute : limits.apiPerMinute),
    keyGenerator: (request) => {
      if (isLogin(request)) return `login:${request.ip}:${loginEmail(request)}`;
      return request.principal === null ? `ip:${request.ip}` : `user:${request.principal.userId}`;
    },
    allowList: (request) => EXEMPT_ROUTES.has(request.routeOptions.url ?? ''),
    ...(options.redis === undefined
      ? {}
      : { redis: options.redis, nameSpace: `${options.redisPrefix ?? 'hashinsight:'}rate-limit:` }),
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', context.statusCode, `Too many requests: retry in ${context.after}`),
  });
};

export default fp(rateLimitPlugin, { name: 'rate-limit' });
