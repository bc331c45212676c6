import { useT } from '../i18n';
import type { Site } from '../ui/scope';
import { StatusBadge } from '../ui/status-badge';
import { useApi } from '../use-api';
import { MINER_STATUSES, type MinerStatus } from './miners-query';

const isMinerStatus = (status: string): status is MinerStatus =>
  (MINER_STATUSES as readonly string[]).includes(status);

/** A miner's status as a badge with its word in the reader's language (an unknown status shows as it is). */
export function MinerStatusBadge({ status }: { status: string }) {
  const t = useT();
  return <StatusBadge status={status} label={isMinerStatus(status) ? t(`fleet.status_${status}`) : status} />;
}

/** Site names by id, for tables that only carry the id. */
export function useSiteNames(): (siteId: string | null | undefined) => string {
  const sites = useApi<{ sites: Site[] }>('/api/sites');
  const names = new Map(sites.data?.sites.map((site) => [site.id, site.name]));
  return (siteId) => (siteId ? (names.get(siteId) ?? siteId) : '—');
}
