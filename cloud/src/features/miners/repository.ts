import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';

/** Every miner the principal may see (its tenant's; a customer's own only), with its latest sample, if any. */
export async function listMinersWithLatest(db: Db, principal: Principal) {
  let query = db.selectFrom('miner').where('miner.tenant_id', '=', principal.tenantId);
  if (principal.role === 'customer') query = query.where('miner.customer_id', '=', principal.customerId);
  return query
    .leftJoin('miner_latest', (join) =>
      join
        .onRef('miner_latest.agent_id', '=', 'miner.agent_id')
        .onRef('miner_latest.miner_id', '=', 'miner.id'),
    )
    .select([
      'miner.id',
      'miner.agent_id',
      'miner.ip',
      'miner.mac',
      'miner.serial',
      'miner.vendor',
      'miner.model',
      'miner.firmware',
      'miner.hostname',
      'miner_latest.time_ms',
      'miner_latest.status',
      'miner_latest.hashrate_mhs',
      'miner_latest.hashrate_avg_mhs',
      'miner_latest.hashrate_expected_mhs',
      'miner_latest.power_w',
      'miner_latest.uptime_s',
      'miner_latest.detail',
      'miner_latest.poll_error',
    ])
    .execute();
}

export type MinerRow = Awaited<ReturnType<typeof listMinersWithLatest>>[number];
