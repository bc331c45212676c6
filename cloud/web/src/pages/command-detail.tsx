import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { session } from '../auth';
import { formatNumber, formatTime } from '../format';
import { useT } from '../i18n';
import { onLinkClick } from '../router';
import { useStore } from '../store';
import { followStream } from '../stream';
import { useThrottled } from '../throttle';
import { ErrorBox, Loading } from '../ui/async';
import { useSiteNames } from '../ui/scope';
import { useUserEmails } from '../ui/users';
import { ApprovalActions } from './commands-approval';
import {
  applyTargetChanges,
  type Board,
  boardOf,
  countStates,
  overallStateOf,
  progressOf,
  sameCounts,
} from './commands-board';
import {
  byCount,
  describeParams,
  describeTargets,
  OVERALL_STATE_LABEL,
  personLabel,
  TYPE_LABEL,
} from './commands-describe';
import { TargetsTable } from './commands-targets-table';
import {
  type CommandChange,
  type CommandDetail,
  type CommandSummary,
  isFinalStatus,
  type TargetChange,
} from './commands-types';
import { actionErrorText, CommandProgress, CommandStateBadge } from './commands-widgets';

/** Target events wait this long to be drawn together: a 5,000-miner rollout is a few renders a second. */
const FLUSH_MS = 200;

/**
 * A command loaded once, then kept live by its event stream: target changes move the board (newer versions only),
 * a snapshot whose counts differ from the board's (events missed while reconnecting) or a status change loads it
 * again. Changes that arrive while a load is on its way are applied on top of it.
 */
function useLiveCommand(id: string) {
  const [summary, setSummary] = useState<CommandSummary | undefined>();
  const [board, setBoardState] = useState<Board | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const boardRef = useRef<Board | undefined>(undefined);
  const summaryRef = useRef<CommandSummary | undefined>(undefined);
  const journal = useRef<TargetChange[]>([]);
  const pending = useRef<TargetChange[]>([]);
  const generation = useRef(0);
  const setBoard = (next: Board) => {
    boardRef.current = next;
    setBoardState(next);
  };
  const setBoth = (next: CommandSummary) => {
    summaryRef.current = next;
    setSummary(next);
  };

  const load = useCallback(async () => {
    const mine = ++generation.current;
    journal.current = [];
    try {
      const { targets, ...rest } = await api<CommandDetail>(`/api/commands/${encodeURIComponent(id)}`);
      if (mine !== generation.current) return;
      pending.current = [];
      setBoard(applyTargetChanges(boardOf(targets), journal.current));
      setBoth(rest);
      setError(undefined);
    } catch (failure) {
      if (mine === generation.current) setError(failure as Error);
      throw failure;
    }
  }, [id]);
  const reloadSoon = useThrottled(() => void load().catch(() => undefined), 1000);

  useEffect(() => {
    const controller = new AbortController();
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      flushTimer = undefined;
      const current = boardRef.current;
      const changes = pending.current.splice(0);
      if (current !== undefined && changes.length > 0) {
        const next = applyTargetChanges(current, changes);
        if (next !== current) setBoard(next);
      }
    };
    const onEvent = ({ event, data }: { event: string; data: string }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        return;
      }
      if (event === 'target') {
        const change = parsed as TargetChange;
        journal.current.push(change);
        pending.current.push(change);
        flushTimer ??= setTimeout(flush, FLUSH_MS);
      } else if (event === 'snapshot') {
        const snapshot = parsed as CommandSummary;
        setBoth({ ...summaryRef.current, ...snapshot });
        flush();
        const current = boardRef.current;
        if (current === undefined || !sameCounts(countStates(current), snapshot.counts ?? {})) reloadSoon();
      } else if (event === 'command') {
        const change = parsed as CommandChange;
        const current = summaryRef.current;
        if (current !== undefined) {
          setBoth({ ...current, status: change.status, statusReason: change.reason ?? current.statusReason });
        }
        reloadSoon();
      } else if (event === 'end') {
        // Final: nothing more will come, and without the abort the stream would reconnect.
        controller.abort();
        flush();
        reloadSoon();
      }
    };
    setSummary(undefined);
    setBoardState(undefined);
    boardRef.current = undefined;
    summaryRef.current = undefined;
    void load().then(
      () => followStream(`/api/commands/${encodeURIComponent(id)}/events`, { onEvent }, controller.signal),
      () => undefined,
    );
    return () => {
      controller.abort();
      generation.current++;
      if (flushTimer !== undefined) clearTimeout(flushTimer);
    };
  }, [id, load, reloadSoon]);

  return { summary, board, error, reload: () => void load().catch(() => undefined) };
}

/** One command with live progress per miner (GET /api/commands/:id/events). */
export function CommandDetailPage({ id }: { id: string }) {
  const t = useT();
  const me = useStore(session)?.userId ?? '';
  const emails = useUserEmails();
  const siteName = useSiteNames();
  const { summary, board, error, reload } = useLiveCommand(id);
  const [cancelling, setCancelling] = useState(false);
  const [cancelOutcome, setCancelOutcome] = useState<string | undefined>();
  const [cancelError, setCancelError] = useState<string | undefined>();

  if (summary === undefined || board === undefined) {
    return error ? <ErrorBox error={error} onRetry={reload} /> : <Loading />;
  }
  const counts = countStates(board);
  const state = overallStateOf(summary.status, Date.parse(summary.notBefore), Date.now(), counts);
  const { finished, total } = progressOf(counts);
  const cancellable =
    summary.status === 'awaiting_approval' || (summary.status === 'active' && finished < total);
  const requester = personLabel(summary.createdBy, me, emails, t);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      const answer = await api<{ cancelled: number; cancelRequested: number }>(
        `/api/commands/${encodeURIComponent(id)}/cancel`,
        { method: 'POST' },
      );
      setCancelOutcome(
        t('commands.cancelOutcome', {
          cancelled: formatNumber(answer.cancelled),
          requested: formatNumber(answer.cancelRequested),
        }),
      );
      reload();
    } catch (failure) {
      setCancelError(actionErrorText(failure, t));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <article class="cmd-page cmd-detail" aria-labelledby="cmd-detail-title">
      <p>
        <a href="/commands" onClick={onLinkClick}>
          {t('commands.backToList')}
        </a>
      </p>
      <h1 id="cmd-detail-title">
        {t(byCount(summary.targetCount, 'commands.detailTitleOne', 'commands.detailTitle'), {
          action: t(TYPE_LABEL[summary.type]),
          n: formatNumber(summary.targetCount),
        })}
      </h1>
      <p class="cmd-state-line" role="status">
        <span class="visually-hidden">{t('commands.stateIs', { state: t(OVERALL_STATE_LABEL[state]) })}</span>
        <span aria-hidden="true">
          <CommandStateBadge state={state} />
        </span>
        {summary.statusReason ? <span class="muted"> {summary.statusReason}</span> : null}
      </p>

      {summary.status === 'awaiting_approval' && (
        <div class="cmd-callout" id="cmd-detail-approval">
          <p>{t('commands.awaitingApprovalText', { who: requester })}</p>
          {summary.approvalReason && <p class="muted">{summary.approvalReason}</p>}
          <p>
            <a href="/approvals" onClick={onLinkClick}>
              {t('commands.openApprovals')}
            </a>
          </p>
          <ApprovalActions command={summary} describedBy="cmd-detail-title" onDone={reload} />
        </div>
      )}

      <CommandProgress counts={counts} />

      {cancellable && (
        <div class="cmd-actions">
          <button type="button" class="danger" disabled={cancelling} onClick={() => void cancel()}>
            {cancelling ? t('commands.cancelling') : t('commands.cancelCommand')}
          </button>
        </div>
      )}
      {cancelOutcome && <p role="status">{cancelOutcome}</p>}
      {cancelError && (
        <p class="error" role="alert">
          {cancelError}
        </p>
      )}

      <dl class="cmd-facts">
        <dt>{t('commands.settings')}</dt>
        <dd>
          {describeParams(summary.type, summary.params, t).map((line) => (
            <div key={line}>{line}</div>
          ))}
        </dd>
        <dt>{t('commands.targets')}</dt>
        <dd>{describeTargets(summary.targetSpec, siteName, t)}</dd>
        <dt>{t('commands.requestedBy')}</dt>
        <dd>{requester}</dd>
        <dt>{t('commands.created')}</dt>
        <dd>{formatTime(summary.createdAt)}</dd>
        <dt>{t('commands.notBefore')}</dt>
        <dd>{formatTime(summary.notBefore)}</dd>
        <dt>{t('commands.expires')}</dt>
        <dd>{formatTime(summary.expiresAt)}</dd>
        <dt>{t('commands.approval')}</dt>
        <dd>
          {!summary.requiresApproval
            ? t('commands.approvalNotNeeded')
            : summary.approvedBy
              ? t('commands.approvedByAt', {
                  who: personLabel(summary.approvedBy, me, emails, t),
                  at: formatTime(summary.approvedAt),
                })
              : t('commands.approvalNeeded')}
        </dd>
        {summary.rollout && (
          <>
            <dt>{t('commands.rollout')}</dt>
            <dd>
              {t('commands.rolloutText', {
                perMinute: formatNumber(summary.rollout.perMinute),
                pct: summary.rollout.abortThresholdPct,
                min: formatNumber(summary.rollout.abortMinExecuted),
              })}
            </dd>
          </>
        )}
        {summary.finishedAt && isFinalStatus(summary.status) && (
          <>
            <dt>{t('commands.finished')}</dt>
            <dd>{formatTime(summary.finishedAt)}</dd>
          </>
        )}
      </dl>

      <TargetsTable board={board} counts={counts} siteName={siteName} />
    </article>
  );
}
