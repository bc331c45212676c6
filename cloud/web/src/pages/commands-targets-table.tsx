import { useMemo, useState } from 'preact/hooks';
import { formatNumber, formatTime } from '../format';
import { useT } from '../i18n';
import { onLinkClick } from '../router';
import { DataTable } from '../ui/data-table';
import { type Board, type TargetCounts, targetsIn } from './commands-board';
import { TARGET_STATE_LABEL } from './commands-describe';
import { TARGET_STATES, type TargetState } from './commands-types';
import { TargetStateBadge } from './commands-widgets';

/** Rows per page: a 10,000-miner command is 100 pages of a light table, never 10,000 DOM rows. */
export const TARGET_PAGE = 100;

const minerHref = (agentId: string, minerId: string) =>
  `/miners/${encodeURIComponent(agentId)}/${encodeURIComponent(minerId)}`;

/** The miners of a command with their live state, filtered by state and paged. */
export function TargetsTable({
  board,
  counts,
  siteName,
}: {
  board: Board;
  counts: TargetCounts;
  siteName: (id: string | null | undefined) => string;
}) {
  const t = useT();
  const [state, setState] = useState<TargetState | ''>('');
  const [page, setPage] = useState(0);
  const rows = useMemo(() => targetsIn(board, state), [board, state]);
  const pages = Math.max(1, Math.ceil(rows.length / TARGET_PAGE));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * TARGET_PAGE, (current + 1) * TARGET_PAGE);
  return (
    <section class="cmd-targets" aria-labelledby="cmd-targets-title">
      <h2 id="cmd-targets-title">{t('commands.targetsTitle')}</h2>
      <div class="toolbar">
        <label>
          <span>{t('commands.showState')}</span>
          <select
            value={state}
            onChange={(e) => {
              setState(e.currentTarget.value as TargetState | '');
              setPage(0);
            }}
          >
            <option value="">{t('commands.allStates', { n: formatNumber(board.keys.length) })}</option>
            {TARGET_STATES.filter((s) => counts[s] > 0 || s === state).map((s) => (
              <option key={s} value={s}>
                {t('commands.stateWithCount', {
                  state: t(TARGET_STATE_LABEL[s]),
                  n: formatNumber(counts[s]),
                })}
              </option>
            ))}
          </select>
        </label>
        {pages > 1 && (
          <nav class="cmd-pager" aria-label={t('commands.pagerLabel')}>
            <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
              {t('commands.previousPage')}
            </button>
            <span>{t('commands.pageOf', { page: current + 1, pages })}</span>
            <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
              {t('commands.nextPage')}
            </button>
          </nav>
        )}
      </div>
      <DataTable
        caption={t('commands.targetsTitle')}
        columns={[
          t('commands.miner'),
          t('commands.state'),
          t('commands.site'),
          t('commands.started'),
          t('commands.finished'),
          t('commands.reason'),
          t('commands.agent'),
        ]}
        items={shown}
        row={(row) => (
          <tr key={`${row.agentId}\u0000${row.minerId}`}>
            <td>
              <a href={minerHref(row.agentId, row.minerId)} onClick={onLinkClick}>
                {row.minerId}
              </a>
            </td>
            <td>
              <TargetStateBadge state={row.state} />
            </td>
            <td>{siteName(row.siteId)}</td>
            <td>{formatTime(row.startedAt)}</td>
            <td>{formatTime(row.finishedAt)}</td>
            <td class="cmd-reason">
              {[row.errorCode, row.reason].filter((part) => part !== '').join(': ') || t('common.none')}
            </td>
            <td class="muted">{row.agentId}</td>
          </tr>
        )}
      />
      {shown.length === 0 && <p class="muted">{t('commands.noTargetsInState')}</p>}
    </section>
  );
}
