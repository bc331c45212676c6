import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api';
import { session } from '../auth';
import { formatNumber, formatTime } from '../format';
import { useT } from '../i18n';
import { useLiveEvent } from '../live';
import { navigate, onLinkClick, setQuery, useLocation } from '../router';
import { useStore } from '../store';
import { useThrottled } from '../throttle';
import { ErrorBox, Loading } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { useScope, useSiteNames } from '../ui/scope';
import { useUserEmails } from '../ui/users';
import { CommandComposer } from './command-composer';
import { personLabel, STATUS_LABEL, TYPE_LABEL } from './commands-describe';
import { appendPage, mergeFirstPage } from './commands-list';
import { COMMAND_STATUSES, type CommandPage, type CommandStatus } from './commands-types';
import { CommandStateBadge } from './commands-widgets';

const PAGE_SIZE = 50;

const statusOf = (value: string | null): CommandStatus | '' =>
  (COMMAND_STATUSES as readonly string[]).includes(value ?? '') ? (value as CommandStatus) : '';

/**
 * The commands of a status ('' = all), newest first, by pages; `reload` refreshes the first page in place.
 * A filter the cloud does not apply is applied here too, so the list never shows another status.
 */
function useCommandPages(status: CommandStatus | '') {
  const [list, setList] = useState<CommandPage | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  const generation = useRef(0);
  const fetchPage = useCallback(
    async (cursor?: string): Promise<CommandPage> => {
      const page = await api<CommandPage>(
        `/api/commands${query({ limit: PAGE_SIZE, status: status || undefined, cursor })}`,
      );
      return status === ''
        ? page
        : { ...page, commands: page.commands.filter((command) => command.status === status) };
    },
    [status],
  );
  const reload = useCallback(() => {
    const id = ++generation.current;
    fetchPage().then(
      (fresh) => {
        if (id !== generation.current) return;
        setError(undefined);
        setList((loaded) => (loaded === undefined ? fresh : mergeFirstPage(loaded, fresh)));
      },
      (failure: Error) => id === generation.current && setError(failure),
    );
  }, [fetchPage]);
  useEffect(() => {
    setList(undefined);
    reload();
  }, [reload]);
  const loadMore = async () => {
    const cursor = list?.nextCursor;
    if (cursor === undefined || cursor === null) return;
    const id = generation.current;
    setLoadingMore(true);
    try {
      const next = await fetchPage(cursor);
      if (id === generation.current) setList((loaded) => (loaded ? appendPage(loaded, next) : next));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setLoadingMore(false);
    }
  };
  return { list, error, reload, loadMore, loadingMore };
}

/** Commands of the tenant, newest first, and a new command for a whole site or a filter. */
export function CommandsPage() {
  const t = useT();
  const { query: params } = useLocation();
  const status = statusOf(params.get('status'));
  const scope = useScope();
  const me = useStore(session)?.userId ?? '';
  const emails = useUserEmails();
  const siteName = useSiteNames();
  const { list, error, reload, loadMore, loadingMore } = useCommandPages(status);
  const [composing, setComposing] = useState(false);
  const liveReload = useThrottled(reload, 1000);
  useLiveEvent('command', liveReload);

  return (
    <section class="cmd-page" aria-labelledby="cmd-list-title">
      <h1 id="cmd-list-title">{t('commands.title')}</h1>
      <div class="toolbar">
        <label>
          <span>{t('commands.filterStatus')}</span>
          <select value={status} onChange={(e) => setQuery({ status: e.currentTarget.value || undefined })}>
            <option value="">{t('commands.allStatuses')}</option>
            {COMMAND_STATUSES.map((value) => (
              <option key={value} value={value}>
                {t(STATUS_LABEL[value])}
              </option>
            ))}
          </select>
        </label>
        {scope.siteId !== undefined && (
          <button type="button" class="primary" onClick={() => setComposing(true)}>
            {t('commands.newForSite', { site: siteName(scope.siteId) })}
          </button>
        )}
      </div>
      {scope.siteId === undefined && <p class="muted">{t('commands.howToStart')}</p>}
      {composing && scope.siteId !== undefined && (
        <CommandComposer
          targets={{ siteId: scope.siteId }}
          onClose={() => setComposing(false)}
          onCreated={(id) => navigate(`/commands/${encodeURIComponent(id)}`)}
        />
      )}
      {error && <ErrorBox error={error} onRetry={reload} />}
      {list === undefined ? (
        !error && <Loading />
      ) : list.commands.length === 0 ? (
        <p class="muted">{t('commands.noCommands')}</p>
      ) : (
        <>
          <DataTable
            caption={t('commands.title')}
            columns={[
              t('commands.command'),
              t('commands.state'),
              t('commands.miners'),
              t('commands.requestedBy'),
              t('commands.created'),
              t('commands.approval'),
            ]}
            items={list.commands}
            row={(command) => (
              <tr key={command.id}>
                <td>
                  <a href={`/commands/${encodeURIComponent(command.id)}`} onClick={onLinkClick}>
                    {t(TYPE_LABEL[command.type])}
                  </a>
                </td>
                <td>
                  <CommandStateBadge state={command.state} />
                </td>
                <td>{formatNumber(command.targetCount)}</td>
                <td>{personLabel(command.createdBy, me, emails, t)}</td>
                <td>{formatTime(command.createdAt)}</td>
                <td>
                  {!command.requiresApproval
                    ? t('commands.approvalNotNeeded')
                    : command.approvedBy
                      ? t('commands.approvedBy', { who: personLabel(command.approvedBy, me, emails, t) })
                      : command.status === 'awaiting_approval'
                        ? t('commands.approvalPending')
                        : t('commands.approvalNeeded')}
                </td>
              </tr>
            )}
          />
          {list.nextCursor !== null && (
            <button type="button" disabled={loadingMore} onClick={() => void loadMore()}>
              {loadingMore ? t('common.loading') : t('commands.loadMore')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
