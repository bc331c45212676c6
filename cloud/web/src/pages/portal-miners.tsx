import { useEffect, useState } from 'preact/hooks';
import { query } from '../api';
import { formatHashrate, formatPower, formatTemperature, formatTime } from '../format';
import { useT } from '../i18n';
import { useLiveReload } from '../live';
import { Async } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { StatusBadge } from '../ui/status-badge';
import { useDebounced } from '../ui/use-debounced';
import { useApi } from '../use-api';
import { MINER_STATUSES } from './miners-query';
import { durationParts } from './portal-range';
import { statusLabel } from './portal-status';
import { type PortalMiner, thsToMhs } from './portal-types';

const PAGE = 50;

/**
 * The client's miners, a page at a time (the Portal Lite API pages with signed cursors; a client may have
 * thousands of machines), filtered by status or a search, reloaded on live updates.
 */
export function PortalMiners() {
  const t = useT();
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  // Cursors of the pages before the current one, and the current one's (undefined: the first page).
  const [cursors, setCursors] = useState<string[]>([]);
  const q = useDebounced(search.trim());
  // A new filter starts from its first page (a cursor belongs to the list it came from).
  useEffect(() => setCursors((old) => (old.length === 0 ? old : [])), [status, q]);
  const cursor = cursors[cursors.length - 1];
  const page = useApi<{ miners: PortalMiner[]; nextCursor: string | null }>(
    `/api/v1/portal/miners${query({ limit: PAGE, status, q, cursor })}`,
  );
  useLiveReload('fleet', page.reload, 2_000);
  const uptime = (seconds: number | null) => {
    if (seconds === null) return '—';
    const { d, h, m } = durationParts(seconds);
    return d > 0 ? t('portal.durationDays', { d, h }) : t('portal.durationHours', { h, m });
  };

  return (
    <section class="card" aria-labelledby="portal-miners-title">
      <h2 id="portal-miners-title">{t('portal.miners')}</h2>
      <div class="toolbar">
        <label>
          <span>{t('portal.filterStatus')}</span>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">{t('portal.allStatuses')}</option>
            {MINER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(t, s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('portal.search')}</span>
          <input
            type="search"
            value={search}
            maxLength={100}
            placeholder={t('portal.searchPlaceholder')}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </label>
      </div>
      <Async data={page.data} error={page.error} reload={page.reload}>
        {({ miners, nextCursor }) => (
          <>
            <DataTable
              caption={t('portal.minersCaption')}
              columns={[
                t('portal.miner'),
                t('portal.model'),
                t('portal.status'),
                t('portal.hashrate'),
                t('portal.expected'),
                t('portal.power'),
                t('portal.temperature'),
                t('portal.minerUptime'),
                t('portal.lastSample'),
              ]}
              items={miners}
              row={(m) => (
                <tr key={`${m.agentId}/${m.minerId}`}>
                  <td>{m.hostname || m.minerId}</td>
                  <td>{m.model}</td>
                  <td>
                    <StatusBadge status={m.status} label={statusLabel(t, m.status)} />
                  </td>
                  <td>{formatHashrate(thsToMhs(m.hashrateThs))}</td>
                  <td>{formatHashrate(thsToMhs(m.expectedHashrateThs))}</td>
                  <td>{formatPower(m.powerW)}</td>
                  <td>{formatTemperature(m.temperatureC)}</td>
                  <td>{uptime(m.uptimeS)}</td>
                  <td>{formatTime(m.lastSampleAt)}</td>
                </tr>
              )}
            />
            {miners.length === 0 && <p class="muted">{t('portal.noMiners')}</p>}
            <nav class="toolbar portal-pager" aria-label={t('portal.pages')}>
              <button
                type="button"
                disabled={cursors.length === 0}
                onClick={() => setCursors(cursors.slice(0, -1))}
              >
                {t('portal.previousPage')}
              </button>
              <span class="muted">{t('portal.pageNumber', { n: cursors.length + 1 })}</span>
              <button
                type="button"
                disabled={nextCursor === null}
                onClick={() => nextCursor !== null && setCursors([...cursors, nextCursor])}
              >
                {t('portal.nextPage')}
              </button>
            </nav>
          </>
        )}
      </Async>
    </section>
  );
}
