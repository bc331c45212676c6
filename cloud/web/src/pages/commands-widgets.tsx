import { useMemo } from 'preact/hooks';
import { ApiError } from '../api';
import { isAdmin, session } from '../auth';
import { formatNumber } from '../format';
import { type t as translate, useT } from '../i18n';
import { useStore } from '../store';
import { StatusBadge } from '../ui/status-badge';
import { useApi } from '../use-api';
import { progressOf, type TargetCounts } from './commands-board';
import { OVERALL_STATE_LABEL, TARGET_STATE_LABEL } from './commands-describe';
import { type OverallState, TARGET_STATES, type TargetState } from './commands-types';

// Small pieces the four command pages share: translated state badges, the progress bar, who and where names.
export function CommandStateBadge({ state }: { state: OverallState }) {
  const t = useT();
  return <StatusBadge status={state} label={t(OVERALL_STATE_LABEL[state])} />;
}

export function TargetStateBadge({ state }: { state: TargetState }) {
  const t = useT();
  return <StatusBadge status={state} label={t(TARGET_STATE_LABEL[state])} />;
}

/** How many targets are done (a native progress bar) and how many are in each state. */
export function CommandProgress({ counts }: { counts: TargetCounts }) {
  const t = useT();
  const { finished, succeeded, total } = progressOf(counts);
  return (
    <div class="cmd-progress">
      <progress max={Math.max(total, 1)} value={finished} aria-label={t('commands.progressLabel')} />
      <p>
        {t('commands.progressText', {
          finished: formatNumber(finished),
          total: formatNumber(total),
          succeeded: formatNumber(succeeded),
        })}
      </p>
      <ul class="cmd-counts" aria-label={t('commands.countsLabel')}>
        {TARGET_STATES.filter((state) => counts[state] > 0).map((state) => (
          <li key={state}>
            <TargetStateBadge state={state} /> {formatNumber(counts[state])}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * What to say when the cloud turns an action down: its own message, as a refusal when it is one (a 4xx: self
 * approval, a foreign miner, a stale approval), else as a failure.
 */
export function actionErrorText(failure: unknown, t: typeof translate): string {
  const message = (failure as Error).message;
  return failure instanceof ApiError && failure.status >= 400 && failure.status < 500
    ? t('commands.refusedPrefix', { message })
    : t('common.errorPrefix', { message });
}

/**
 * Emails of the tenant's users by id, so "requested by" names a person. Only admins may list users; others see
 * "you" for themselves and the id for anyone else.
 */
export function useUserEmails(): ReadonlyMap<string, string> {
  const current = useStore(session);
  const admin = current !== null && isAdmin(current.role);
  const users = useApi<{ users: { id: string; email: string }[] }>(
    admin ? '/api/users?limit=200' : undefined,
  );
  return useMemo(() => new Map((users.data?.users ?? []).map((user) => [user.id, user.email])), [users.data]);
}
