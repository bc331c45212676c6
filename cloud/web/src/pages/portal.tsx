import { useState } from 'preact/hooks';
import { type MessageKey, useT } from '../i18n';
import { useLiveReload } from '../live';
import { setQuery, useLocation } from '../router';
import { useApi } from '../use-api';
import { PortalEarnings } from './portal-earnings';
import { PortalEvents } from './portal-events';
import { PortalHashrate, PortalUptime } from './portal-history';
import { PortalMiners } from './portal-miners';
import { isRangeKey, portalRange, RANGE_KEYS, type RangeKey } from './portal-range';
import { PortalSummaryCards } from './portal-summary';
import type { PortalSummary } from './portal-types';

const RANGE_LABEL: Record<RangeKey, MessageKey> = {
  '24h': 'portal.range24h',
  '7d': 'portal.range7d',
  '30d': 'portal.range30d',
};

/** History, uptime and earnings sum rollups over days: telemetry of the last seconds hardly moves them. */
const HISTORY_RELOAD_MS = 60_000;

/**
 * A hosting client's own miners, hashrate and uptime history, earnings and power cost. Everything comes from the
 * Portal Lite API, which answers for the caller's customer only: nothing here can show another client's miners.
 */
export function PortalPage() {
  const t = useT();
  const { query } = useLocation();
  const asked = query.get('range');
  const rangeKey: RangeKey = isRangeKey(asked) ? asked : '24h';
  // The range ends "now"; moving now forward (on live updates, at most once a minute) reloads the history.
  const [nowMs, setNowMs] = useState(() => Date.now());
  const range = portalRange(rangeKey, nowMs);
  useLiveReload('fleet', () => setNowMs(Date.now()), HISTORY_RELOAD_MS);
  const summary = useApi<PortalSummary>('/api/v1/portal/summary');
  useLiveReload('fleet', summary.reload, 2_000);

  return (
    <div class="portal">
      <h1>{t('portal.title')}</h1>
      <PortalSummaryCards summary={summary} />
      <fieldset class="toolbar portal-range">
        <legend class="muted">{t('portal.rangeLabel')}</legend>
        {RANGE_KEYS.map((key) => (
          <button
            key={key}
            type="button"
            class={key === rangeKey ? 'primary' : ''}
            aria-pressed={key === rangeKey}
            onClick={() => {
              setNowMs(Date.now());
              setQuery({ range: key === '24h' ? undefined : key });
            }}
          >
            {t(RANGE_LABEL[key])}
          </button>
        ))}
      </fieldset>
      <div class="portal-grid">
        <PortalHashrate range={range} />
        <PortalUptime range={range} />
      </div>
      <PortalEarnings range={range} />
      <PortalMiners />
      <PortalEvents />
    </div>
  );
}
