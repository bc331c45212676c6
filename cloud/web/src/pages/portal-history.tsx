import { useState } from 'preact/hooks';
import { query } from '../api';
import { formatHashrate, formatNumber, formatTime } from '../format';
import { lang, useT } from '../i18n';
import { useStore } from '../store';
import { Async } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { LineChart } from '../ui/line-chart';
import { StatusBadge } from '../ui/status-badge';
import { useApi } from '../use-api';
import type { PortalRange } from './portal-range';
import type { HashratePoint, Uptime } from './portal-types';
import { readNumber } from './profit-form';

/** The client's total hashrate over the chosen range, as a chart with a text summary for screen readers. */
export function PortalHashrate({ range }: { range: PortalRange }) {
  const t = useT();
  const path = `/api/v1/portal/hashrate${query({ from: range.from, to: range.to, resolution: range.resolution })}`;
  const history = useApi<{ points: HashratePoint[] }>(path);
  return (
    <section class="card" aria-labelledby="portal-hashrate-title">
      <h2 id="portal-hashrate-title">{t('portal.hashrateHistory')}</h2>
      <Async data={history.data} error={history.error} reload={history.reload}>
        {({ points }) => {
          const values = points.map((p) => p.hashrateThs * 1e6);
          // One bucket is no line: the first few minutes of a new client, or of a new range.
          if (values.length < 2) return <p class="muted">{t('portal.noHistory')}</p>;
          const summary = t('portal.hashrateSummary', {
            average: formatHashrate(values.reduce((a, b) => a + b, 0) / values.length),
            latest: formatHashrate(values[values.length - 1]),
            points: values.length,
          });
          return (
            <LineChart
              series={[
                {
                  label: t('portal.hashrate'),
                  color: 'var(--chart-1)',
                  points: points.map((p) => ({ t: Date.parse(p.time), v: p.hashrateThs * 1e6 })),
                },
              ]}
              format={formatHashrate}
              summary={summary}
            />
          );
        }}
      </Async>
    </section>
  );
}

const SLA_KEY = 'hashinsight.portal.sla';

const slaStatus = (met: boolean | null) => (met === null ? 'unknown' : met ? 'ok' : 'failed');

/** Availability per day (week for a month), overall, and whether each met the SLA target the client types. */
export function PortalUptime({ range }: { range: PortalRange }) {
  const t = useT();
  const language = useStore(lang);
  const [slaText, setSlaText] = useState(() => globalThis.localStorage?.getItem(SLA_KEY) ?? '99');
  const sla = readNumber(slaText, { min: 0, max: 100 }, false);
  const path = `/api/v1/portal/uptime${query({
    from: range.from,
    to: range.to,
    period: range.period,
    sla: sla.value,
  })}`;
  const uptime = useApi<Uptime>(sla.problem === undefined ? path : undefined);
  const day = new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en-US', {
    dateStyle: 'medium',
    timeZone: 'UTC',
  });
  const met = (value: boolean | null) =>
    value === null ? t('portal.slaUnknown') : value ? t('portal.slaMet') : t('portal.slaMissed');
  return (
    <section class="card" aria-labelledby="portal-uptime-title">
      <h2 id="portal-uptime-title">{t('portal.uptime')}</h2>
      <label class="portal-sla">
        <span>{t('portal.slaTarget')}</span>
        <input
          type="text"
          inputMode="decimal"
          value={slaText}
          aria-invalid={sla.problem !== undefined}
          aria-describedby={sla.problem === undefined ? undefined : 'portal-sla-error'}
          onInput={(e) => {
            setSlaText(e.currentTarget.value);
            globalThis.localStorage?.setItem(SLA_KEY, e.currentTarget.value);
          }}
        />
      </label>
      {sla.problem !== undefined && (
        <p id="portal-sla-error" class="error">
          {t('portal.slaInvalid')}
        </p>
      )}
      <Async data={uptime.data} error={uptime.error} reload={uptime.reload}>
        {(u) => (
          <>
            <p class="portal-uptime-total">
              <strong>{u.uptimePercent === null ? '—' : `${formatNumber(u.uptimePercent, 2)} %`}</strong>{' '}
              {u.slaPercent !== null && <StatusBadge status={slaStatus(u.slaMet)} label={met(u.slaMet)} />}
            </p>
            <DataTable
              caption={t('portal.uptimeCaption')}
              columns={[
                range.period === 'week' ? t('portal.weekOf') : t('portal.day'),
                t('portal.uptime'),
                u.slaPercent !== null && t('portal.sla'),
              ]}
              items={u.periods}
              empty={t('portal.noHistory')}
              row={(p) => (
                <tr key={p.start}>
                  <td title={formatTime(p.start)}>{day.format(new Date(p.start))}</td>
                  <td>{p.uptimePercent === null ? '—' : `${formatNumber(p.uptimePercent, 2)} %`}</td>
                  {u.slaPercent !== null && <td>{met(p.slaMet)}</td>}
                </tr>
              )}
            />
          </>
        )}
      </Async>
    </section>
  );
}
