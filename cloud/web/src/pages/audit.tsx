import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api';
import { useIsAdmin } from '../auth';
import { formatTime } from '../format';
import { useT } from '../i18n';
import { Async, ErrorBox, Loading } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { Modal } from '../ui/dialog';
import { StatusBadge } from '../ui/status-badge';
import { useUserEmails } from '../ui/users';
import { useApi } from '../use-api';
import { type AuditEntry, appendAudit, auditActor, filterAudit } from './admin-lib';

const PAGE = 50;

interface AuditPageData {
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** The tenant's audit log, newest first, with paging. */
export function AuditPage() {
  const t = useT();
  if (!useIsAdmin()) return <p class="muted">{t('admin.auditAdminsOnly')}</p>;
  return <AuditLog />;
}

function AuditLog() {
  const t = useT();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [filter, setFilter] = useState('');
  const [detail, setDetail] = useState<number | undefined>();
  // A reply to an older load (refresh pressed while a page was on its way) is dropped.
  const generation = useRef(0);

  const load = useCallback(async (from: string | null, previous: AuditEntry[]) => {
    const id = ++generation.current;
    setBusy(true);
    setError(undefined);
    try {
      const page = await api<AuditPageData>(`/api/audit${query({ limit: PAGE, cursor: from })}`);
      if (id !== generation.current) return;
      setEntries(appendAudit(previous, page.entries));
      setCursor(page.nextCursor);
      setLoaded(true);
    } catch (failure) {
      if (id === generation.current) setError(failure as Error);
    } finally {
      if (id === generation.current) setBusy(false);
    }
  }, []);

  const refresh = useCallback(() => void load(null, []), [load]);
  useEffect(refresh, [refresh]);

  // Entries name users by id; the users list (one page: a tenant's staff) turns ids into emails.
  const emails = useUserEmails();
  const shown = filterAudit(entries, filter, emails);

  return (
    <div class="admin-page">
      <h1>{t('admin.auditTitle')}</h1>
      <p class="muted">{t('admin.auditIntro')}</p>
      <div class="toolbar">
        <label>
          <span>{t('admin.auditFilter')}</span>
          <input
            type="search"
            value={filter}
            maxLength={200}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
        </label>
        <button type="button" onClick={refresh} disabled={busy}>
          {t('admin.refresh')}
        </button>
      </div>
      <p class="muted" role="status">
        {loaded ? t('admin.auditShown', { shown: shown.length, loaded: entries.length }) : ''}
      </p>
      {!loaded && error === undefined && <Loading />}
      {loaded && (
        <DataTable
          caption={t('admin.auditCaption')}
          columns={[
            t('admin.auditTime'),
            t('admin.auditActor'),
            t('admin.auditAction'),
            t('admin.auditTarget'),
            t('admin.auditStatus'),
            t('admin.auditIp'),
            { label: t('admin.auditDetails'), hidden: true },
          ]}
          items={shown}
          row={(entry) => (
            <tr key={entry.seq}>
              <td>{formatTime(entry.at)}</td>
              <td class="admin-wrap">{auditActor(entry, emails)}</td>
              <td class="admin-wrap">
                <code>
                  {entry.method} {entry.route}
                </code>
              </td>
              <td class="admin-wrap">{entry.targetId ?? t('common.none')}</td>
              <td>
                <StatusBadge
                  status={entry.outcome === 'success' ? 'ok' : 'failed'}
                  label={`${entry.statusCode} ${t(entry.outcome === 'success' ? 'admin.auditSuccess' : 'admin.auditFailure')}`}
                />
              </td>
              <td>{entry.ip ?? t('common.none')}</td>
              <td>
                <button
                  type="button"
                  aria-label={t('admin.auditDetailsOf', { seq: entry.seq })}
                  onClick={() => setDetail(entry.seq)}
                >
                  {t('admin.auditDetails')}
                </button>
              </td>
            </tr>
          )}
        />
      )}
      {loaded && entries.length === 0 && <p class="muted">{t('admin.auditEmpty')}</p>}
      {error !== undefined && (
        <ErrorBox error={error} onRetry={() => void (loaded ? load(cursor, entries) : load(null, []))} />
      )}
      {loaded && cursor !== null && (
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => void load(cursor, entries)}>
            {busy ? t('common.loading') : t('admin.loadMore')}
          </button>
        </div>
      )}
      {loaded && cursor === null && entries.length > 0 && <p class="muted">{t('admin.auditEnd')}</p>}
      <Modal
        open={detail !== undefined}
        title={t('admin.auditEntryTitle', { seq: detail ?? '' })}
        onClose={() => setDetail(undefined)}
      >
        {detail !== undefined && <AuditDetail seq={detail} emails={emails} />}
      </Modal>
    </div>
  );
}

/** One entry as the cloud stores it, fetched fresh (GET /api/audit/:seq), with its chain hash. */
function AuditDetail({ seq, emails }: { seq: number; emails: ReadonlyMap<string, string> }) {
  const t = useT();
  const entry = useApi<AuditEntry>(`/api/audit/${seq}`);
  return (
    <Async data={entry.data} error={entry.error} reload={entry.reload}>
      {(e) => (
        <dl class="facts admin-facts-wide">
          <Fact label={t('admin.auditSeq')} value={String(e.seq)} />
          <Fact label={t('admin.auditTime')} value={`${formatTime(e.at)} (${e.at})`} />
          <Fact label={t('admin.auditActorKind')} value={e.actorKind} />
          <Fact label={t('admin.auditActor')} value={auditActor(e, emails)} />
          <Fact label={t('admin.auditActorId')} value={e.actorId ?? t('common.none')} />
          <Fact label={t('admin.auditAction')} value={`${e.method} ${e.route}`} code />
          <Fact label={t('admin.auditTarget')} value={e.targetId ?? t('common.none')} />
          <Fact
            label={t('admin.auditStatus')}
            value={`${e.statusCode} ${t(e.outcome === 'success' ? 'admin.auditSuccess' : 'admin.auditFailure')}`}
          />
          <Fact label={t('admin.auditIp')} value={e.ip ?? t('common.none')} />
          <Fact label={t('admin.auditRequestId')} value={e.requestId ?? t('common.none')} code />
          <Fact label={t('admin.auditHash')} value={e.hash} code />
        </dl>
      )}
    </Async>
  );
}

function Fact({ label, value, code = false }: { label: string; value: string; code?: boolean }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{code ? <code>{value}</code> : value}</dd>
    </div>
  );
}
