import { formatHashrate } from '../format';
import { useT } from '../i18n';
import { LineChart } from '../ui/line-chart';
import { StatusBadge } from '../ui/status-badge';
import { MINER_STATUSES, type MinerStatus } from './miners-query';

const isMinerStatus = (status: string): status is MinerStatus =>
  (MINER_STATUSES as readonly string[]).includes(status);

/** A miner's status as a badge with its word in the reader's language (an unknown status shows as it is). */
export function MinerStatusBadge({ status }: { status: string }) {
  const t = useT();
  return <StatusBadge status={status} label={isMinerStatus(status) ? t(`fleet.status_${status}`) : status} />;
}

/** A point of a hashrate chart: the time (ms) and the measured and expected hashrate (MH/s), null for none. */
export interface HashratePoint {
  t: number;
  hashrateMhs: number | null;
  expectedMhs: number | null;
}

/** Hashrate against expected, the fleet's on the overview and one miner's on its page. */
export function HashrateChart({
  points,
  summary,
  height,
}: {
  points: readonly HashratePoint[];
  summary: string;
  height?: number;
}) {
  const t = useT();
  return (
    <LineChart
      series={[
        {
          label: t('fleet.hashrate'),
          color: 'var(--chart-1)',
          points: points.map((p) => ({ t: p.t, v: p.hashrateMhs })),
        },
        {
          label: t('fleet.expected'),
          color: 'var(--chart-2)',
          points: points.map((p) => ({ t: p.t, v: p.expectedMhs })),
        },
      ]}
      format={formatHashrate}
      summary={summary}
      {...(height === undefined ? {} : { height })}
    />
  );
}
