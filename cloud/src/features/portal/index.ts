import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import {
  type ApiKeyView,
  createCustomerApiKey,
  listCustomerKeys,
  revokeCustomerKey,
  sessionRequired,
} from '../auth/index.js';
import { tenantCatalog } from '../catalog/index.js';
import { DEFAULT_STALE_AFTER_MS, type FleetFilters, summaryCachePrefix } from '../miners/index.js';
import type { NetworkService } from '../network/index.js';
import { liveProfitability, liveResponse } from '../profitability/index.js';
import { fleetHashrateSeries, type Resolution } from '../telemetry/index.js';
import { CursorSigner } from './cursor.js';
import { withEtag } from './etag.js';
import {
  type CreateKeyBody,
  createdKeyResponse,
  createKeyBody,
  keyListResponse,
  keyParams,
  keyResponse,
} from './key-schemas.js';
import {
  earningsQuery,
  eventsQuery,
  eventsResponse,
  hashrateQuery,
  hashrateResponse,
  minerParams,
  minerResponse,
  minersQuery,
  minersResponse,
  summaryResponse,
  uptimeQuery,
  uptimeResponse,
} from './schemas.js';
import {
  customerOf,
  listMyMiners,
  myEvents,
  myMiner,
  mySummary,
  myUptime,
  rangeInvalid,
  type UptimePeriod,
} from './service.js';

const HOUR_MS = 3_600_000;
const SUMMARY_FRESH_MS = 5_000;
const SUMMARY_STALE_MS = 30_000;
const SERIES_FRESH_MS = 60_000;
const SERIES_STALE_MS = 300_000;
const DAY_MS = 86_400_000;
/** Raw samples are kept 7 days by default; events are derived from them, one day at a time. */
const MAX_EVENTS_RANGE_MS = DAY_MS;

export interface PortalOptions {
  network: NetworkService;
  /** Signs page cursors; derive it from a server secret so every instance accepts every instance's cursors. */
  cursorKey: Buffer;
  /** Requests per minute per client (API key, or a login's user) and route. */
  ratePerMinute?: number;
  now?: () => number;
  staleAfterMs?: number;
}

export const DEFAULT_PORTAL_RATE_PER_MINUTE = 1200;

type Range = { from?: string; to?: string };

/** What the client portal shows of a key: never its hash, role or creator. */
const keyView = ({ id, name, prefix, createdAt, revokedAt }: ApiKeyView) => ({
  id,
  name,
  prefix,
  createdAt,
  revokedAt,
});

/**
 * Portal Lite: the hosting client's own miners, summary, history, availability, earnings and events at
 * /api/v1/portal/*, for customer users and customer API keys only. Every read is scoped by the caller's
 * customer; cursors are signed to the customer; answers carry ETags; each client has its own rate limit.
 * The client manages its own API keys at /api/portal/keys.
 */
const portalFeature: FastifyPluginAsync<PortalOptions> = async (fastify, options) => {
  const { network, now = Date.now, staleAfterMs = DEFAULT_STALE_AFTER_MS } = options;
  const signer = new CursorSigner(options.cursorKey);
  // One bucket per client: an API key counts apart from the user who created it (whose id its principal carries).
  const rateLimit = {
    max: options.ratePerMinute ?? DEFAULT_PORTAL_RATE_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) =>
      request.credential?.kind === 'api_key'
        ? `portal:key:${request.credential.apiKeyId}`
        : `portal:user:${request.principal?.userId ?? request.ip}`,
  };
  const config = { access: 'portal' as const, rateLimit };
  const catalogOf = (request: FastifyRequest) =>
    tenantCatalog(fastify.platform.cache, fastify.db, principalOf(request).tenantId);
  const range = (query: Range, defaultMs: number) => {
    // A default end on the minute, so that polling clients share cached answers and ETags within it.
    const toMs = query.to === undefined ? Math.floor(now() / 60_000) * 60_000 : Date.parse(query.to);
    const fromMs = query.from === undefined ? toMs - defaultMs : Date.parse(query.from);
    if (!(fromMs < toMs)) throw rangeInvalid();
    return { fromMs, toMs };
  };

  fastify.get<{
    Querystring: {
      status?: FleetFilters['status'];
      model?: string;
      q?: string;
      limit: number;
      cursor?: string;
    };
  }>(
    '/api/v1/portal/miners',
    { config, schema: { querystring: minersQuery, response: { 200: minersResponse } } },
    async (request, reply) => {
      const { limit, cursor, ...rest } = request.query;
      const filters: FleetFilters = {};
      if (rest.status !== undefined) filters.status = rest.status;
      if (rest.model !== undefined) filters.model = rest.model;
      if (rest.q !== undefined) filters.q = rest.q;
      const page = await listMyMiners(
        fastify.db,
        principalOf(request),
        signer,
        { filters, limit, cursor, staleBefore: now() - staleAfterMs },
        await catalogOf(request),
      );
      return withEtag(request, reply, page);
    },
  );

  fastify.get<{ Params: { agentId: string; minerId: string } }>(
    '/api/v1/portal/miners/:agentId/:minerId',
    { config, schema: { params: minerParams, response: { 200: minerResponse } } },
    async (request, reply) =>
      withEtag(
        request,
        reply,
        await myMiner(
          fastify.db,
          principalOf(request),
          request.params,
          now() - staleAfterMs,
          await catalogOf(request),
        ),
      ),
  );

  fastify.get(
    '/api/v1/portal/summary',
    { config, schema: { response: { 200: summaryResponse } } },
    async (request, reply) => {
      const principal = principalOf(request);
      // Like the fleet summary: fresh for a few seconds, then stale while one load refreshes it (telemetry arrives
      // once a minute; summing 10,000 miners on every poll would cost far more). Under the fleet summary's prefix,
      // so an assignment change drops it too.
      const key = `${summaryCachePrefix(principal.tenantId)}portal:${customerOf(principal)}`;
      const summary = await fastify.platform.cache.cached(key, SUMMARY_FRESH_MS, SUMMARY_STALE_MS, async () =>
        mySummary(fastify.db, principal, now() - staleAfterMs, await catalogOf(request)),
      );
      return withEtag(request, reply, summary);
    },
  );

  fastify.get<{ Querystring: Range & { resolution: Resolution } }>(
    '/api/v1/portal/hashrate',
    { config, schema: { querystring: hashrateQuery, response: { 200: hashrateResponse } } },
    async (request, reply) => {
      const principal = principalOf(request);
      const customerId = customerOf(principal);
      const { fromMs, toMs } = range(request.query, DAY_MS);
      const { resolution } = request.query;
      // Summing every miner's rollups is the heaviest portal read (10,000 miners × 24 hours = 240,000 rows): the
      // series is cached a minute per customer, resolution and range (the default end is rounded to the minute).
      const key = `portal:hashrate:${principal.tenantId}:${customerId}:${resolution}:${fromMs}:${toMs}`;
      const points = await fastify.platform.cache.cached(key, SERIES_FRESH_MS, SERIES_STALE_MS, () =>
        fleetHashrateSeries(
          fastify.db,
          { tenantId: principal.tenantId, customerId },
          resolution,
          fromMs,
          toMs,
        ),
      );
      return withEtag(request, reply, {
        resolution,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        points: points.map((p) => ({
          time: new Date(p.timeMs).toISOString(),
          miners: p.miners,
          onlineMiners: p.onlineMiners,
          hashrateThs: Math.round(p.hashrateMhs / 1000) / 1000,
          powerW: p.powerW,
        })),
      });
    },
  );

  fastify.get<{ Querystring: Range & { period: UptimePeriod; sla?: number } }>(
    '/api/v1/portal/uptime',
    { config, schema: { querystring: uptimeQuery, response: { 200: uptimeResponse } } },
    async (request, reply) => {
      const { fromMs, toMs } = range(request.query, 7 * DAY_MS);
      const { period, sla } = request.query;
      const principal = principalOf(request);
      // Availability sums every miner's hourly rollups: cached a minute per customer and question, like the series.
      const key = `portal:uptime:${principal.tenantId}:${customerOf(principal)}:${period}:${sla}:${fromMs}:${toMs}`;
      const uptime = await fastify.platform.cache.cached(key, SERIES_FRESH_MS, SERIES_STALE_MS, () =>
        myUptime(fastify.db, principal, { fromMs, toMs, period, slaPercent: sla }),
      );
      return withEtag(request, reply, uptime);
    },
  );

  fastify.get<{
    Querystring: Range & {
      electricity_cost: number;
      pool_fee_percent?: number;
      payout_scheme?: 'FPPS' | 'PPS+' | 'PPLNS' | 'PPS';
      hosting_fee?: number;
    };
  }>(
    '/api/v1/portal/earnings',
    { config, schema: { querystring: earningsQuery, response: { 200: liveResponse } } },
    async (request, reply) => {
      const principal = principalOf(request);
      const customerId = customerOf(principal);
      const { from: _from, to: _to, ...prices } = request.query;
      const { fromMs, toMs } = range(request.query, 7 * DAY_MS);
      const result = await liveProfitability(
        fastify.db,
        principal,
        { ...prices, customerId, fromMs, toMs },
        await catalogOf(request),
        await network.current(),
        now(),
      );
      return withEtag(request, reply, result);
    },
  );

  // Keys are managed from a login only: a leaked key must not be able to mint its own successors.
  const session = (request: FastifyRequest) => {
    if (request.credential?.kind !== 'session') throw sessionRequired();
    return principalOf(request);
  };

  fastify.get(
    '/api/portal/keys',
    { config, schema: { response: { 200: keyListResponse } } },
    async (request) => ok({ keys: (await listCustomerKeys(fastify.db, session(request))).map(keyView) }),
  );

  fastify.post<{ Body: CreateKeyBody }>(
    '/api/portal/keys',
    { config, schema: { body: createKeyBody, response: { 201: createdKeyResponse } } },
    async (request, reply) => {
      const created = await createCustomerApiKey(fastify.db, session(request), request.body.name, now());
      // Never the key itself in a log line.
      request.log.info({ apiKeyId: created.id, customerId: created.customerId }, 'portal API key created');
      reply.code(201);
      return ok({ ...keyView(created), key: created.key });
    },
  );

  fastify.delete<{ Params: { id: string } }>(
    '/api/portal/keys/:id',
    { config, schema: { params: keyParams, response: { 200: keyResponse } } },
    async (request) => {
      const revoked = await revokeCustomerKey(fastify.db, session(request), request.params.id, now());
      request.log.info({ apiKeyId: revoked.id }, 'portal API key revoked');
      return ok(keyView(revoked));
    },
  );

  fastify.get<{ Querystring: Range & { limit: number; cursor?: string } }>(
    '/api/v1/portal/events',
    { config, schema: { querystring: eventsQuery, response: { 200: eventsResponse } } },
    async (request, reply) => {
      const { fromMs, toMs } = range(request.query, 6 * HOUR_MS);
      if (toMs - fromMs > MAX_EVENTS_RANGE_MS) throw rangeInvalid();
      const { limit, cursor } = request.query;
      return withEtag(
        request,
        reply,
        await myEvents(fastify.db, principalOf(request), signer, { fromMs, toMs, limit, cursor }),
      );
    },
  );
};

/** The cursor key of every instance sharing `secret` (the JWT secret): one derivation, kept apart from signing. */
export function portalCursorKey(secret: string): Buffer {
  return createHash('sha256').update(`hashinsight portal cursor\n${secret}`).digest();
}

export default portalFeature;
