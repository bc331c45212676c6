import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { formatTime } from '../format';
import { useT } from '../i18n';
import { useLiveReload } from '../live';
import { Async } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { StatusBadge } from '../ui/status-badge';
import { useApi } from '../use-api';
import { statusLabel } from './portal-status';
import type { PortalEvent } from './portal-types';

const PAGE = 50;
/** The cloud derives events from raw samples and answers at most a day per question. */
const WINDOW_MS = 86_400_000;

interface EventsPage {
  events: PortalEvent[];
  nextCursor: string | null;
}

const minuteNow = () => Math.floor(Date.now() / 60_000) * 60_000;

/** Status changes of the client's miners over the last day, newest first; older pages on request. */
export function PortalEvents() {
  const t = useT();
  // A page cursor is signed to its list, the window included: every page of one list asks the same from/to.
  const [endMs, setEndMs] = useState(minuteNow);
  const span = { from: new Date(endMs - WINDOW_MS).toISOString(), to: new Date(endMs).toISOString() };
  const first = useApi<EventsPage>(`/api/v1/portal/events${query({ ...span, limit: PAGE })}`);
  // Older pages fetched with "Show more", kept only while the first page they followed is on screen.
  const [more, setMore] = useState<{ after: EventsPage; pages: EventsPage[] } | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>();
  const pages =
    first.data === undefined ? [] : [first.data, ...(more?.after === first.data ? more.pages : [])];
  const lastCursor = pages[pages.length - 1]?.nextCursor ?? null;
  // Live updates refresh the newest page, unless older pages are open: reading back through the day, the list
  // should not jump to the top (and their cursors belong to the window they came from).
  const refresh = () => {
    const now = minuteNow();
    if (now === endMs) first.reload();
    else setEndMs(now);
  };
  useLiveReload(
    'fleet',
    () => {
      if (pages.length <= 1) refresh();
    },
    10_000,
  );

  const showMore = async () => {
    const head = first.data;
    if (head === undefined || lastCursor === null) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const next = await api<EventsPage>(
        `/api/v1/portal/events${query({ ...span, limit: PAGE, cursor: lastCursor })}`,
      );
      setMore({ after: head, pages: [...pages.slice(1), next] });
    } catch (error) {
      setMoreError(error as Error);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section class="card" aria-labelledby="portal-events-title">
      <h2 id="portal-events-title">{t('portal.events')}</h2>
      <Async data={first.data} error={first.error} reload={first.reload}>
        {() => (
          <DataTable
            caption={t('portal.eventsCaption')}
            columns={[t('portal.time'), t('portal.miner'), t('portal.change')]}
            items={pages.flatMap((p) => p.events)}
            empty={t('portal.noEvents')}
            row={(e) => (
              <tr key={`${e.time}/${e.agentId}/${e.minerId}`}>
                <td>{formatTime(e.time)}</td>
                <td>{e.minerId}</td>
                <td>
                  <StatusBadge status={e.from} label={statusLabel(t, e.from)} />
                  {' → '}
                  <StatusBadge status={e.to} label={statusLabel(t, e.to)} />
                </td>
              </tr>
            )}
          />
        )}
      </Async>
      {moreError !== undefined && (
        <p class="error" role="alert">
          {t('common.errorPrefix', { message: moreError.message })}
        </p>
      )}
      <div class="toolbar portal-pager">
        {lastCursor !== null && (
          <button type="button" disabled={loadingMore} onClick={() => void showMore()}>
            {t('portal.showMore')}
          </button>
        )}
        {pages.length > 1 && (
          <button
            type="button"
            onClick={() => {
              setMore(undefined);
              refresh();
            }}
          >
            {t('portal.latestEvents')}
          </button>
        )}
      </div>
    </section>
  );
}
