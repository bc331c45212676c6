import type { CredentialVersionRef } from './api.js';
import type { CredentialTable, VaultDb } from './tables.js';

// Which agent gets which active credential, for which of its miners. The most specific login wins: a miner's
// own, else its model's default, else its site's. The agent keeps per credential id the newest version and picks
// a login naming the miner before its default (minerIds empty), so: site defaults go with no miners, model
// defaults name the agent's miners of that model that have no login of their own, miner logins name their miner.

export interface Delivery extends CredentialVersionRef {
  agentId: string;
  minerIds: string[];
}

type ActiveCredential = Pick<
  CredentialTable,
  'id' | 'tenant_id' | 'scope_kind' | 'agent_id' | 'miner_id' | 'model' | 'site_id' | 'purpose'
> & { active_version: number };

const COLUMNS = [
  'id',
  'tenant_id',
  'scope_kind',
  'agent_id',
  'miner_id',
  'model',
  'site_id',
  'purpose',
  'active_version',
] as const;

/** The agent's miners of `model` that have no active miner login of `purpose`, grouped by agent. */
async function modelMiners(
  db: VaultDb,
  credential: ActiveCredential,
  agentId?: string,
): Promise<Map<string, string[]>> {
  let query = db
    .selectFrom('miner')
    .select(['miner.agent_id', 'miner.id'])
    .where('miner.tenant_id', '=', credential.tenant_id)
    .where('miner.model', '=', credential.model)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('credential as own')
            .select('own.id')
            .where('own.tenant_id', '=', credential.tenant_id)
            .where('own.scope_kind', '=', 'miner')
            .where('own.purpose', '=', credential.purpose)
            .where('own.active_version', 'is not', null)
            .whereRef('own.agent_id', '=', 'miner.agent_id')
            .whereRef('own.miner_id', '=', 'miner.id'),
        ),
      ),
    )
    .orderBy('miner.agent_id')
    .orderBy('miner.id');
  if (agentId !== undefined) query = query.where('miner.agent_id', '=', agentId);
  const byAgent = new Map<string, string[]>();
  for (const row of await query.execute()) {
    byAgent.set(row.agent_id, [...(byAgent.get(row.agent_id) ?? []), row.id]);
  }
  return byAgent;
}

/** Where one credential's active version goes now (pool passwords go only with their command). */
export async function credentialDeliveries(db: VaultDb, credentialId: string): Promise<Delivery[]> {
  const found = await db
    .selectFrom('credential')
    .select(COLUMNS)
    .where('id', '=', credentialId)
    .where('active_version', 'is not', null)
    .executeTakeFirst();
  if (found === undefined) return [];
  const credential = found as ActiveCredential;
  const ref = { credentialId, version: credential.active_version };
  switch (credential.scope_kind) {
    case 'miner':
      return [{ ...ref, agentId: credential.agent_id, minerIds: [credential.miner_id] }];
    case 'model':
      return [...(await modelMiners(db, credential))].map(([agentId, minerIds]) => ({
        ...ref,
        agentId,
        minerIds,
      }));
    case 'site': {
      const agents = await db
        .selectFrom('agent')
        .select('id')
        .where('tenant_id', '=', credential.tenant_id)
        .where('site_id', '=', credential.site_id)
        .orderBy('id')
        .execute();
      return agents.map((agent) => ({ ...ref, agentId: agent.id, minerIds: [] }));
    }
    default:
      return [];
  }
}

/** Everything an agent should hold, least specific first, or undefined for an agent without a tenant. */
export async function agentDeliveries(
  db: VaultDb,
  agentId: string,
): Promise<{ tenantId: string; deliveries: Delivery[] } | undefined> {
  const agent = await db
    .selectFrom('agent')
    .select(['tenant_id', 'site_id'])
    .where('id', '=', agentId)
    .executeTakeFirst();
  if (agent?.tenant_id == null) return undefined;
  const tenantId = agent.tenant_id;
  const credentials = (await db
    .selectFrom('credential')
    .select(COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('active_version', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('scope_kind', '=', 'site'), eb('site_id', '=', agent.site_id ?? '')]),
        eb('scope_kind', '=', 'model'),
        eb.and([eb('scope_kind', '=', 'miner'), eb('agent_id', '=', agentId)]),
      ]),
    )
    .orderBy('id')
    .execute()) as ActiveCredential[];
  const deliveries: Delivery[] = [];
  for (const kind of ['site', 'model', 'miner'] as const) {
    for (const credential of credentials.filter((c) => c.scope_kind === kind)) {
      const ref = { credentialId: credential.id, version: credential.active_version, agentId };
      if (kind === 'site') deliveries.push({ ...ref, minerIds: [] });
      else if (kind === 'miner') deliveries.push({ ...ref, minerIds: [credential.miner_id] });
      else {
        const minerIds = (await modelMiners(db, credential, agentId)).get(agentId) ?? [];
        if (minerIds.length > 0) deliveries.push({ ...ref, minerIds });
      }
    }
  }
  return { tenantId, deliveries };
}
