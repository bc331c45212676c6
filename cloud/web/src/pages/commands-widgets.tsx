import { ApiError } from '../api';
import { formatNumber } from '../format';
import { type t as translate, useT } from '../i18n';
import { StatusBadge } from '../ui/status-badge';
import { progressOf, type TargetCounts } from './commands-board';
import { OVERALL_STATE_LABEL, TARGET_STATE_LABEL } from './commands-describe';
import { type OverallState, TARGET_STATES, type TargetState } from './commands-types';

// Small pieces the four command pages share: translated state badges, the progress bar, a refusal's wording.
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
