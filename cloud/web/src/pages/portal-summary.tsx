import { formatHashrate, formatNumber, formatPower, formatTemperature } from '../format';
import { useT } from '../i18n';
import { Async } from '../ui/async';
import type { Loaded } from '../use-api';
import { type PortalSummary, thsToMhs } from './portal-types';

/** The client's fleet at a glance: miners online, hashrate against the catalog's nominal, power, temperature. */
export function PortalSummaryCards({ summary }: { summary: Loaded<PortalSummary> }) {
  const t = useT();
  return (
    <Async data={summary.data} error={summary.error} reload={summary.reload}>
      {(s) => (
        <section class="cards" aria-label={t('portal.summaryLabel')}>
          <Stat
            label={t('portal.minersOnline')}
            value={t('portal.ofTotal', {
              n: formatNumber(s.miners.online),
              total: formatNumber(s.miners.total),
            })}
          />
          <Stat
            label={t('portal.hashrate')}
            value={formatHashrate(thsToMhs(s.hashrateThs))}
            note={
              s.hashrateOfExpectedPercent === null
                ? undefined
                : t('portal.ofExpected', {
                    percent: formatNumber(s.hashrateOfExpectedPercent, 1),
                    expected: formatHashrate(thsToMhs(s.expectedHashrateThs)),
                  })
            }
          />
          <Stat label={t('portal.power')} value={formatPower(s.powerW)} />
          <Stat
            label={t('portal.efficiency')}
            value={s.efficiencyJTh === null ? '—' : `${formatNumber(s.efficiencyJTh, 1)} J/TH`}
          />
          <Stat
            label={t('portal.temperatureMax')}
            value={formatTemperature(s.temperatureC.max)}
            note={t('portal.temperatureAvg', { value: formatTemperature(s.temperatureC.avg) })}
          />
        </section>
      )}
    </Async>
  );
}

function Stat({ label, value, note }: { label: string; value: string; note?: string | undefined }) {
  return (
    <div class="card stat">
      <div class="label">{label}</div>
      <div class="value">{value}</div>
      {note !== undefined && <div class="muted">{note}</div>}
    </div>
  );
}
