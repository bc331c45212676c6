import type { FastifyPluginAsync } from 'fastify';
import { ok } from '../../http/envelope.js';
import { AppError } from '../../http/errors.js';
import { type Principal, principalOf } from '../../plugins/access.js';
import { MAX_HISTORY_POINTS, minerHistory } from '../telemetry/index.js';
import { ipCipherFor, ipCiphersOf } from './ip-ciphers.js';
import { sealPlaintextIps } from './ip-jobs.js';
import type { MinerSort, SortOrder } from './repository.js';
import {
  assignBody,
  assignResponse,
  bulkAssignBody,
  listMinersQuery,
  listMinersResponse,
  type MinerDetailQuery,
  type MinerParams,
  minerDetailQuery,
  minerDetailResponse,
  minerParams,
} from './schemas.js';
import { DEFAULT_STALE_AFTER_MS, type FleetFilters, type MinerStatus, summaryCachePrefix } from './scope.js';
import { assignMiners, getMiner, listMiners, type MinerKey, minerNotFound } from './service.js';

export { type IpCipher, type IpLookup, ipLookupOf, NO_IP, protectIp, revealIp, type StoredIp } from './ip.js';
export {
  type IpCipherProvider,
  type IpCipherSource,
  type IpProtector,
  ipCipherFor,
  ipCiphersOf,
  ipLookupFor,
  TenantIpCiphers,
} from './ip-ciphers.js';
export { resealMinerIps, sealPlaintextIps } from './ip-jobs.js';
export { selectSiteNames } from './repository.js';
export { filterProperties, type MinerParams, minerParams } from './schemas.js';
export {
  DEFAULT_STALE_AFTER_MS,
  effectiveStatus,
  type FleetFilters,
  MINER_STATUSES,
  ONLINE_STATUSES,
  scopedMiner,
  scopedMiners,
  summaryCachePrefix,
  temperatureDc,
} from './scope.js';
export { minerNotFound } from './service.js';

const DAY_MS = 86_400_000;

type ListQuery = FleetFilters & { sort: MinerSort; order: SortOrder; limit: number; cursor?: string };

/** The filters of a query string, without the keys that were not given. */
export function filtersOf(query: FleetFilters): FleetFilters {
  const filters: FleetFilters = {};
  for (const key of ['siteId', 'customerId', 'agentId', 'model', 'q'] as const) {
    if (query[key] !== undefined) filters[key] = query[key];
  }
  if (query.status !== undefined) filters.status = query.status as MinerStatus;
  return filters;
}

const rangeInvalid = () => new AppError('MINERS_RANGE_INVALID', 400, 'from must be before to');

function historyScope(principal: Principal) {
  return {
    tenantId: principal.tenantId,
    customerId: principal.role === 'customer' ? principal.customerId : null,
  };
}

/** The fleet: list, detail with history, and assignment of miners to customers. */
const minersFeature: FastifyPluginAsync<{ now?: () => number; staleAfterMs?: number }> = async (
  fastify,
  { now = Date.now, staleAfterMs = DEFAULT_STALE_AFTER_MS },
) => {
  fastify.addHook('onReady', async () => {
    // The vault is registered beside this feature: resolved on use.
    const sealed = await sealPlaintextIps(fastify.db, ipCiphersOf(fastify.vault));
    if (sealed > 0)
      fastify.log.info({ feature: 'miners', sealed }, 'miner addresses stored in clear were sealed');
  });

  fastify.get<{ Querystring: ListQuery }>(
    '/api/miners',
    {
      config: { access: 'fleet' },
      schema: { querystring: listMinersQuery, response: { 200: listMinersResponse } },
    },
    async (request) => {
      const { sort, order, limit, cursor } = request.query;
      const principal = principalOf(request);
      const page = await listMiners(
        fastify.db,
        principal,
        { filters: filtersOf(request.query), sort, order, limit, cursor, staleBefore: now() - staleAfterMs },
        await ipCipherFor(fastify.vault, principal),
      );
      return ok(page);
    },
  );

  fastify.get<{ Params: MinerParams; Querystring: MinerDetailQuery }>(
    '/api/miners/:agentId/:minerId',
    {
      config: { access: 'fleet' },
      schema: { params: minerParams, querystring: minerDetailQuery, response: { 200: minerDetailResponse } },
    },
    async (request) => {
      const principal = principalOf(request);
      const { agentId, minerId } = request.params;
      const { resolution } = request.query;
      const toMs = request.query.to === undefined ? now() : Date.parse(request.query.to);
      const fromMs = request.query.from === undefined ? toMs - DAY_MS : Date.parse(request.query.from);
      if (!(fromMs < toMs)) throw rangeInvalid();
      const miner = await getMiner(
        fastify.db,
        principal,
        agentId,
        minerId,
        now() - staleAfterMs,
        await ipCipherFor(fastify.vault, principal),
      );
      const points = await minerHistory(
        fastify.db,
        historyScope(principal),
        { agentId, minerId },
        resolution,
        fromMs,
        toMs,
      );
      // Assigned away between the two reads: answer as for any miner out of scope.
      if (points === undefined) throw minerNotFound();
      const celsius = (tenths: number | null) => (tenths === null ? null : tenths / 10);
      return ok({
        miner,
        history: {
          resolution,
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          truncated: points.length >= MAX_HISTORY_POINTS,
          points: points.map((point) => ({
            time: new Date(point.timeMs).toISOString(),
            status: point.status,
            samples: point.samples,
            onlineSamples: point.onlineSamples,
            hashrateMhs: point.hashrateMhs,
            hashrateExpectedMhs: point.hashrateExpectedMhs,
            powerW: point.powerW,
            chipTempMaxC: celsius(point.chipTempMaxDc),
            boardTempMaxC: celsius(point.boardTempMaxDc),
          })),
        },
      });
    },
  );

  fastify.put<{ Params: MinerParams; Body: { customerId: string | null } }>(
    '/api/miners/:agentId/:minerId/customer',
    {
      config: { access: 'hosting' },
      schema: { params: minerParams, body: assignBody, response: { 200: assignResponse } },
    },
    async (request) => {
      const { customerId } = request.body;
      const principal = principalOf(request);
      const updated = await assignMiners(fastify.db, principal, [request.params], customerId);
      await fastify.platform.cache.invalidatePrefix(summaryCachePrefix(principal.tenantId));
      return ok({ updated, customerId });
    },
  );

  fastify.put<{ Body: { miners: MinerKey[]; customerId: string | null } }>(
    '/api/miners/customer',
    { config: { access: 'hosting' }, schema: { body: bulkAssignBody, response: { 200: assignResponse } } },
    async (request) => {
      const { miners, customerId } = request.body;
      const principal = principalOf(request);
      const updated = await assignMiners(fastify.db, principal, miners, customerId);
      await fastify.platform.cache.invalidatePrefix(summaryCachePrefix(principal.tenantId));
      return ok({ updated, customerId });
    },
  );
};

export default minersFeature;
