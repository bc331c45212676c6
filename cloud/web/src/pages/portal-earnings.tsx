import { useState } from 'preact/hooks';
import { query } from '../api';
import { formatHashrate, formatNumber, formatPower, formatUsd } from '../format';
import { type MessageKey, useT } from '../i18n';
import { Async } from '../ui/async';
import { useApi } from '../use-api';
import type { PortalRange } from './portal-range';
import type { LiveProfit } from './portal-types';
import { readNumber } from './profit-form';

interface Prices {
  electricityCost: string;
  poolFeePercent: string;
  hostingFee: string;
}

const KEY = 'hashinsight.portal.prices';
const DEFAULT_PRICES: Prices = { electricityCost: '0.06', poolFeePercent: '', hostingFee: '' };

function loadPrices(): Prices {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? 'null') as Partial<Prices> | null;
    return { ...DEFAULT_PRICES, ...(saved ?? {}) };
  } catch {
    return DEFAULT_PRICES;
  }
}

const FIELDS: { field: keyof Prices; label: MessageKey; max: number; required: boolean }[] = [
  { field: 'electricityCost', label: 'portal.electricityCost', max: 1e6, required: true },
  { field: 'poolFeePercent', label: 'portal.poolFee', max: 100, required: false },
  { field: 'hostingFee', label: 'portal.hostingFee', max: 1e12, required: false },
];

/**
 * Estimated earnings and power cost of the client's miners over the range: what they measured, priced with the
 * current network state and the prices the client gives (its all-in rate per kWh, pool fee, monthly hosting fee).
 */
export function PortalEarnings({ range }: { range: PortalRange }) {
  const t = useT();
  const [draft, setDraft] = useState(loadPrices);
  const [applied, setApplied] = useState(draft);
  const checks = FIELDS.map((f) => ({
    ...f,
    ...readNumber(draft[f.field], { min: 0, max: f.max }, f.required),
  }));
  const valid = checks.every((c) => c.problem === undefined);
  const value = (field: keyof Prices) => readNumber(applied[field], { min: 0, max: 1e12 }, false).value;
  const path = `/api/v1/portal/earnings${query({
    from: range.from,
    to: range.to,
    electricity_cost: value('electricityCost'),
    pool_fee_percent: value('poolFeePercent'),
    hosting_fee: value('hostingFee'),
  })}`;
  const earnings = useApi<LiveProfit>(path);

  const submit = (event: Event) => {
    event.preventDefault();
    if (!valid) return;
    setApplied(draft);
    globalThis.localStorage?.setItem(KEY, JSON.stringify(draft));
  };

  return (
    <section class="card portal-earnings" aria-labelledby="portal-earnings-title">
      <h2 id="portal-earnings-title">{t('portal.earnings')}</h2>
      <form class="toolbar" onSubmit={submit}>
        {checks.map((c) => (
          <label key={c.field}>
            <span>{t(c.label)}</span>
            <input
              type="text"
              inputMode="decimal"
              value={draft[c.field]}
              required={c.required}
              aria-invalid={c.problem !== undefined}
              onInput={(e) => setDraft({ ...draft, [c.field]: e.currentTarget.value })}
            />
          </label>
        ))}
        <button type="submit" disabled={!valid}>
          {t('portal.update')}
        </button>
      </form>
      {!valid && (
        <p class="error" role="alert">
          {t('portal.pricesInvalid')}
        </p>
      )}
      <Async data={earnings.data} error={earnings.error} reload={earnings.reload}>
        {(e) => (
          <>
            <p class="muted">
              {t('portal.earningsNote', {
                days: formatNumber(e.period.days, 1),
                miners: formatNumber(e.miners),
              })}
            </p>
            <dl class="portal-figures">
              <Figure label={t('portal.btcMined')} value={`${formatNumber(e.period.btc, 8)} BTC`} />
              <Figure label={t('portal.revenue')} value={formatUsd(e.period.revenue)} />
              <Figure label={t('portal.powerCost')} value={formatUsd(e.period.electricity_cost)} />
              <Figure label={t('portal.hostingCost')} value={formatUsd(e.period.hosting_cost)} />
              <Figure label={t('portal.profit')} value={formatUsd(e.period.profit)} strong />
              <Figure label={t('portal.profitPerDay')} value={formatUsd(e.per_day.daily_profit)} />
              <Figure label={t('portal.energy')} value={`${formatNumber(e.measured.energy_kwh, 1)} kWh`} />
              <Figure
                label={t('portal.avgHashrate')}
                value={formatHashrate(e.measured.avg_hashrate_th * 1e6)}
              />
              <Figure label={t('portal.avgPower')} value={formatPower(e.measured.avg_power_w)} />
              <Figure
                label={t('portal.uptime')}
                value={
                  e.measured.uptime_percent === null ? '—' : `${formatNumber(e.measured.uptime_percent, 2)} %`
                }
              />
            </dl>
          </>
        )}
      </Async>
    </section>
  );
}

function Figure({ label, value, strong = false }: { label: string; value: string; strong?: boolean }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd class={strong ? 'strong' : undefined}>{value}</dd>
    </div>
  );
}
