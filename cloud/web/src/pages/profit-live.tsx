import { useState } from 'preact/hooks';
import { ApiError, query } from '../api';
import { formatHashrate, formatNumber, formatUsd } from '../format';
import { type MessageKey, useT } from '../i18n';
import { useLiveReload } from '../live';
import { Async } from '../ui/async';
import { type Site, useScope } from '../ui/scope';
import { useApi } from '../use-api';
import { isRangeKey, portalRange, RANGE_KEYS, type RangeKey } from './portal-range';
import type { LiveProfit } from './portal-types';
import type { CalculationBody } from './profit-form';

/** One request per site: beyond this many sites the header's site picker narrows the view. */
const MAX_SITES = 25;
/** Live profitability sums rollups over hours or days; telemetry of the last seconds hardly moves it. */
const RELOAD_MS = 60_000;

const RANGE_LABEL: Record<RangeKey, MessageKey> = {
  '24h': 'profit.range24h',
  '7d': 'profit.range7d',
  '30d': 'profit.range30d',
};

interface Prices {
  electricity_cost: number;
  pool_fee_percent?: number | undefined;
  hosting_fee?: number | undefined;
  payout_scheme?: string | undefined;
}

/**
 * What the fleet earned, per site, from what the miners measured (GET /api/profitability/live): the whole fleet
 * in the header's scope, then each site. Priced with the calculator's electricity price and fees. Staff only:
 * when the cloud refuses the sites list (403: a client or a guest), the section is not shown at all.
 */
export function ProfitLive({ base }: { base: CalculationBody }) {
  const t = useT();
  const scope = useScope();
  const sites = useApi<{ sites: Site[] }>('/api/sites');
  const [rangeKey, setRangeKey] = useState<RangeKey>('24h');
  const [nowMs, setNowMs] = useState(() => Date.now());
  useLiveReload('fleet', () => setNowMs(Date.now()), RELOAD_MS);
  if (sites.error instanceof ApiError && sites.error.status === 403) return null;

  const range = portalRange(rangeKey, nowMs);
  const prices: Prices = {
    electricity_cost: base.electricity_cost,
    pool_fee_percent: base.pool_fee_percent,
    hosting_fee: base.hosting_fee,
    payout_scheme: base.payout_scheme,
  };
  return (
    <section class="card profit-live" aria-labelledby="profit-live-title">
      <h2 id="profit-live-title">{t('profit.live')}</h2>
      <p class="muted">{t('profit.liveIntro', { price: formatUsd(base.electricity_cost, 3) })}</p>
      <div class="profit-field profit-live-range">
        <label for="profit-live-range">
          <span>{t('profit.livePeriod')}</span>
        </label>
        <select
          id="profit-live-range"
          value={rangeKey}
          onChange={(e) => {
            const value = e.currentTarget.value;
            if (isRangeKey(value)) {
              setRangeKey(value);
              setNowMs(Date.now());
            }
          }}
        >
          {RANGE_KEYS.map((key) => (
            <option key={key} value={key}>
              {t(RANGE_LABEL[key])}
            </option>
          ))}
        </select>
      </div>
      <Async data={sites.data} error={sites.error} reload={sites.reload}>
        {({ sites: all }) => {
          const shown = scope.siteId === undefined ? all : all.filter((s) => s.id === scope.siteId);
          return (
            <>
              <div class="table-wrap">
                <table aria-label={t('profit.liveCaption')}>
                  <thead>
                    <tr>
                      <th scope="col">{t('profit.site')}</th>
                      <th scope="col">{t('profit.miners')}</th>
                      <th scope="col">{t('profit.avgHashrate')}</th>
                      <th scope="col">{t('profit.uptime')}</th>
                      <th scope="col">{t('profit.efficiency')}</th>
                      <th scope="col">{t('profit.revenuePerDay')}</th>
                      <th scope="col">{t('profit.costPerDay')}</th>
                      <th scope="col">{t('profit.profitPerDay')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {scope.siteId === undefined && (
                      <LiveRow
                        name={t('profit.allSites')}
                        params={{ ...prices, customerId: scope.customerId, from: range.from, to: range.to }}
                        total
                      />
                    )}
                    {shown.slice(0, MAX_SITES).map((site) => (
                      <LiveRow
                        key={site.id}
                        name={site.name}
                        params={{
                          ...prices,
                          siteId: site.id,
                          customerId: scope.customerId,
                          from: range.from,
                          to: range.to,
                        }}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
              {shown.length > MAX_SITES && (
                <p class="muted">{t('profit.moreSites', { shown: MAX_SITES, total: shown.length })}</p>
              )}
            </>
          );
        }}
      </Async>
    </section>
  );
}

function LiveRow({
  name,
  params,
  total = false,
}: {
  name: string;
  params: Record<string, string | number | undefined>;
  total?: boolean;
}) {
  const t = useT();
  const live = useApi<LiveProfit>(`/api/profitability/live${query(params)}`);
  const head = (
    <th scope="row" class={total ? 'profit-total' : undefined}>
      {name}
    </th>
  );
  if (live.data === undefined)
    return (
      <tr>
        {head}
        <td colSpan={7} class={live.error ? 'error' : 'muted'}>
          {live.error ? t('common.errorPrefix', { message: live.error.message }) : t('common.loading')}
        </td>
      </tr>
    );
  const { measured, per_day: day } = live.data;
  return (
    <tr class={total ? 'profit-total' : undefined}>
      {head}
      <td>{formatNumber(live.data.miners)}</td>
      <td>{formatHashrate(measured.avg_hashrate_th * 1e6)}</td>
      <td>{measured.uptime_percent === null ? '—' : `${formatNumber(measured.uptime_percent, 1)} %`}</td>
      <td>
        {/* Zero means no power was reported (some firmwares do not), not a perfect machine. */}
        {measured.efficiency_j_th === null || measured.efficiency_j_th <= 0
          ? '—'
          : `${formatNumber(measured.efficiency_j_th, 1)} J/TH`}
      </td>
      <td>{formatUsd(day.daily_revenue)}</td>
      <td>{formatUsd(day.daily_cost)}</td>
      <td class={day.daily_profit < 0 ? 'profit-loss' : 'profit-gain'}>{formatUsd(day.daily_profit)}</td>
    </tr>
  );
}
