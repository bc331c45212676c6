import { useState } from 'preact/hooks';
import { api } from '../api';
import { session } from '../auth';
import { useT } from '../i18n';
import { useStore } from '../store';
import { shortHash } from './commands-describe';
import type { CommandSummary } from './commands-types';
import { actionErrorText } from './commands-widgets';

export type ApprovalOutcome = 'approved' | 'rejected';

/**
 * Approve or reject a command awaiting a second operator. Approving sends the canonical hash shown, so the approval
 * binds exactly the command read here; the cloud refuses the requester's own approval and says so.
 */
export function ApprovalActions({
  command,
  describedBy,
  onDone,
}: {
  command: CommandSummary;
  /** The id of what describes the command, so the buttons read "Approve" with it. */
  describedBy?: string;
  onDone: (outcome: ApprovalOutcome) => void;
}) {
  const t = useT();
  const me = useStore(session)?.userId;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const act = async (outcome: ApprovalOutcome) => {
    setBusy(true);
    setError(undefined);
    try {
      if (outcome === 'approved') {
        await api(`/api/commands/${encodeURIComponent(command.id)}/approve`, {
          method: 'POST',
          body: { canonicalHash: command.canonicalHash },
        });
      } else {
        await api(`/api/commands/${encodeURIComponent(command.id)}/cancel`, { method: 'POST' });
      }
      onDone(outcome);
    } catch (failure) {
      setError(actionErrorText(failure, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="cmd-approval">
      <p class="muted">
        {t('commands.approvalBinds')}{' '}
        <code title={command.canonicalHash}>{shortHash(command.canonicalHash)}</code>
      </p>
      {command.createdBy === me && <p class="muted">{t('commands.ownCommand')}</p>}
      <div class="cmd-actions">
        <button
          type="button"
          class="primary"
          disabled={busy}
          aria-describedby={describedBy}
          onClick={() => void act('approved')}
        >
          {t('commands.approve')}
        </button>
        <button
          type="button"
          disabled={busy}
          aria-describedby={describedBy}
          onClick={() => void act('rejected')}
        >
          {t('commands.reject')}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
