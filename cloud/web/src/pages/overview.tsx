import { useLayoutEffect, useState } from 'preact/hooks';
import { query } from '../api';
import { formatHashrate, formatNumber, formatPower, formatTemperature } from '../format';
import { useT } from '../i18n';
import { touchesSite, useLiveReload } from '../live';
import { navigate } from '../router';
import { Async } from '../ui/async';
import { scope as scopeStore, useScope } from '../ui/scope';
import { useApi } from '../use-api';
import { HashrateChart } from './fleet-ui';

/** GET /api/fleet/summary: the fleet's figures, and the same per site. */
interface Totals {
  miners: { total: number; online: number; offline: number; unknown: number; stale: number };
  hashrateMhs: number;
  expectedHashrateMhs: number;
  powerW: number;
  efficiencyJTh: number | null;
  temperatureC: { min: number | null; avg: number | null; max: number | null };
}
interface Summary extends Totals {
  sites: (Totals & { siteId: string | null; siteName: string | null })[];
}

/** GET /api/fleet/history. */
interface History {
  resolution: string;
  points: { t: string; hashrateMhs: number | null; expectedHashrateMhs: number | null }[];
}

/** The chart's ranges, each with a resolution that keeps it to a few hundred points. */
const RANGES = {
  '24h': { resolution: '5m', hours: 24, stepMs: 300_000 },
  '7d': { resolution: '1h', hours: 24 * 7, stepMs: 3_600_000 },
  '30d': { resolution: '1d', hours: 24 * 30, stepMs: 86_400_000 },
} as const;
type Range = keyof typeof RANGES;

const SUMMARY_LIVE_MS = 2000;
// The chart moves by one point every 5 minutes at best: reloading it on each tick would only cost the database.
const HISTORY_LIVE_MS = 60_000;

let overviewMarked = false;
function markOverviewReady(): void {
  if (overviewMarked) return;
  overviewMarked = true;
  performance.mark('hashinsight:overview-ready');
}

const ratio = (value: number, of: number): number | null => (of > 0 ? (value / of) * 100 : null);

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div class="card stat">
      <div class="label">{label}</div>
      <div class="value">{value}</div>
      {detail && <div class="muted detail">{detail}</div>}
    </div>
  );
}

function StatCards({ summary }: { summary: Summary }) {
  const t = useT();
  useLayoutEffect(markOverviewReady, []);
  const { miners, temperatureC } = summary;
  const pct = ratio(summary.hashrateMhs, summary.expectedHashrateMhs);
  return (
    <div class="cards">
      <Stat
        label={t('fleet.hashrate')}
        value={formatHashrate(summary.hashrateMhs)}
        detail={t('fleet.ofExpected', {
          expected: formatHashrate(summary.expectedHashrateMhs),
          pct: formatNumber(pct, 1),
        })}
      />
      <Stat
        label={t('fleet.minersOnline')}
        value={t('fleet.onlineOfTotal', {
          online: formatNumber(miners.online),
          total: formatNumber(miners.total),
        })}
        detail={t('fleet.minerCounts', {
          offline: formatNumber(miners.offline),
          stale: formatNumber(miners.stale),
          unknown: formatNumber(miners.unknown),
        })}
      />
      <Stat label={t('fleet.power')} value={formatPower(summary.powerW)} />
      <Stat
        label={t('fleet.efficiency')}
        value={
          summary.efficiencyJTh === null
            ? '—'
            : t('fleet.jPerTh', { v: formatNumber(summary.efficiencyJTh, 1) })
        }
      />
      <Stat
        label={t('fleet.temperature')}
        value={formatTemperature(temperatureC.max)}
        detail={t('fleet.tempRange', {
          min: formatTemperature(temperatureC.min),
          avg: formatTemperature(temperatureC.avg),
        })}
      />
    </div>
  );
}

function SitesTable({ summary }: { summary: Summary }) {
  const t = useT();
  const current = useScope();
  const open = (siteId: string) => {
    scopeStore.set({ ...current, siteId });
    navigate('/miners');
  };
  return (
    <div class="table-wrap">
      <table class="overview-sites">
        <caption>{t('fleet.sitesTitle')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('fleet.site')}</th>
            <th scope="col">{t('fleet.minersOnline')}</th>
            <th scope="col">{t('fleet.hashrate')}</th>
            <th scope="col">{t('fleet.ofExpectedShort')}</th>
            <th scope="col">{t('fleet.power')}</th>
            <th scope="col">{t('fleet.efficiency')}</th>
            <th scope="col">{t('fleet.maxTemperature')}</th>
          </tr>
        </thead>
        <tbody>
          {summary.sites.map((site) => (
            <tr key={site.siteId ?? ''}>
              <th scope="row">
                {site.siteId === null ? (
                  t('fleet.noSite')
                ) : (
                  <button
                    type="button"
                    class="link"
                    onClick={() => open(site.siteId as string)}
                    aria-label={t('fleet.showSiteMiners', { site: site.siteName ?? site.siteId })}
                  >
                    {site.siteName ?? site.siteId}
                  </button>
                )}
              </th>
              <td>
                {t('fleet.onlineOfTotal', {
                  online: formatNumber(site.miners.online),
                  total: formatNumber(site.miners.total),
                })}
              </td>
              <td>{formatHashrate(site.hashrateMhs)}</td>
              <td>{formatNumber(ratio(site.hashrateMhs, site.expectedHashrateMhs), 1)} %</td>
              <td>{formatPower(site.powerW)}</td>
              <td>
                {site.efficiencyJTh === null
                  ? '—'
                  : t('fleet.jPerTh', { v: formatNumber(site.efficiencyJTh, 1) })}
              </td>
              <td>{formatTemperature(site.temperatureC.max)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FleetHashrateChart({ history, stepMs }: { history: History; stepMs: number }) {
  const t = useT();
  // The fleet's hashrate is a sum over the miners that reported in a bucket: the bucket still filling holds only
  // some of them and would draw a dip at the end of every chart.
  const closedBefore = Date.now() - stepMs;
  const closed = history.points.filter((p) => Date.parse(p.t) <= closedBefore);
  const points = closed.map((p) => ({
    t: Date.parse(p.t),
    hashrateMhs: p.hashrateMhs,
    expectedMhs: p.expectedHashrateMhs,
  }));
  const last = closed.at(-1);
  return (
    <HashrateChart
      points={points}
      summary={
        last === undefined
          ? t('fleet.noHistory')
          : t('fleet.hashrateChartSummary', {
              n: formatNumber(points.length),
              last: formatHashrate(last.hashrateMhs),
            })
      }
    />
  );
}

/** Fleet overview: total vs expected hashrate, online/offline, efficiency, temperatures, hashrate chart. */
export function OverviewPage() {
  const t = useT();
  const scope = useScope();
  const [range, setRange] = useState<Range>('24h');
  const filters = { siteId: scope.siteId, customerId: scope.customerId };
  const summary = useApi<Summary>(`/api/fleet/summary${query(filters)}`);
  const { resolution, hours, stepMs } = RANGES[range];
  // The window's start is rounded to the resolution's step: live reloads ask for the same path, and the window
  // moves on by itself when a new step begins.
  const from = new Date(Math.floor((Date.now() - hours * 3_600_000) / stepMs) * stepMs).toISOString();
  const history = useApi<History>(`/api/fleet/history${query({ ...filters, resolution, from })}`);
  useLiveReload('fleet', summary.reload, SUMMARY_LIVE_MS, touchesSite(scope.siteId));
  useLiveReload('fleet', history.reload, HISTORY_LIVE_MS, touchesSite(scope.siteId));

  return (
    <section class="overview" aria-labelledby="overview-title">
      <h1 id="overview-title">{t('fleet.overviewTitle')}</h1>
      <Async data={summary.data} error={summary.error} reload={summary.reload}>
        {(data) => (
          <>
            <StatCards summary={data} />
            <section class="card overview-chart" aria-labelledby="overview-chart-title">
              <div class="overview-chart-head">
                <h2 id="overview-chart-title">{t('fleet.hashrateHistory')}</h2>
                <label>
                  <span>{t('fleet.range')}</span>
                  <select value={range} onChange={(e) => setRange(e.currentTarget.value as Range)}>
                    {(Object.keys(RANGES) as Range[]).map((key) => (
                      <option key={key} value={key}>
                        {t(`fleet.range_${key}`)}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <Async data={history.data} error={history.error} reload={history.reload}>
                {(loaded) => <FleetHashrateChart history={loaded} stepMs={stepMs} />}
              </Async>
            </section>
            {data.sites.length > 0 && <SitesTable summary={data} />}
          </>
        )}
      </Async>
    </section>
  );
}
