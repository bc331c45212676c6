import { useT } from '../i18n';
import { StatusBadge } from '../ui/status-badge';
import { MINER_STATUSES, type MinerStatus } from './miners-query';

const isMinerStatus = (status: string): status is MinerStatus =>
  (MINER_STATUSES as readonly string[]).includes(status);

/** A miner's status as a badge with its word in the reader's language (an unknown status shows as it is). */
export function MinerStatusBadge({ status }: { status: string }) {
  const t = useT();
  return <StatusBadge status={status} label={isMinerStatus(status) ? t(`fleet.status_${status}`) : status} />;
}
