import { useMemo, useState } from 'preact/hooks';
import { session } from '../auth';
import { formatNumber, formatTime } from '../format';
import { useT } from '../i18n';
import { useLiveEvent } from '../live';
import { onLinkClick } from '../router';
import { useStore } from '../store';
import { useThrottled } from '../throttle';
import { Async } from '../ui/async';
import { useSiteNames } from '../ui/scope';
import { useUserEmails } from '../ui/users';
import { useApi } from '../use-api';
import { ApprovalActions, type ApprovalOutcome } from './commands-approval';
import { byCount, describeParams, describeTargets, personLabel, TYPE_LABEL } from './commands-describe';
import type { CommandDetail, CommandPage, CommandSummary } from './commands-types';

const href = (id: string) => `/commands/${encodeURIComponent(id)}`;

/** Miners per site of one command, loaded when the approver opens it (a command may name 10,000 miners). */
function SitesOf({ id, siteName }: { id: string; siteName: (id: string) => string }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const detail = useApi<CommandDetail>(open ? `/api/commands/${encodeURIComponent(id)}` : undefined);
  const perSite = useMemo(() => {
    const counts = new Map<string, number>();
    for (const target of detail.data?.targets ?? []) {
      const key = target.siteId ?? '';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]);
  }, [detail.data]);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('commands.showSites')}</summary>
      {open && (
        <Async data={detail.data} error={detail.error} reload={detail.reload}>
          {() => (
            <ul>
              {perSite.map(([site, count]) => (
                <li key={site}>
                  {t(byCount(count, 'commands.siteCountOne', 'commands.siteCount'), {
                    site: site === '' ? t('commands.noSite') : siteName(site),
                    n: formatNumber(count),
                  })}
                </li>
              ))}
            </ul>
          )}
        </Async>
      )}
    </details>
  );
}

function ApprovalCard({
  command,
  people,
  siteName,
  onDone,
}: {
  command: CommandSummary;
  people: (userId: string) => string;
  siteName: (id: string) => string;
  onDone: (outcome: ApprovalOutcome) => void;
}) {
  const t = useT();
  const titleId = `approval-${command.id}`;
  const spec = command.targetSpec;
  // A site-wide command already names its site; any other may span several.
  const namesItsSite =
    spec !== undefined && ('siteId' in spec || ('filter' in spec && 'siteId' in spec.filter));
  return (
    <article class="card cmd-approval-card" aria-labelledby={titleId}>
      <h2 id={titleId}>
        <a href={href(command.id)} onClick={onLinkClick}>
          {t(byCount(command.targetCount, 'commands.detailTitleOne', 'commands.detailTitle'), {
            action: t(TYPE_LABEL[command.type]),
            n: formatNumber(command.targetCount),
          })}
        </a>
      </h2>
      <dl class="cmd-facts">
        <dt>{t('commands.settings')}</dt>
        <dd>
          {describeParams(command.type, command.params, t).map((line) => (
            <div key={line}>{line}</div>
          ))}
        </dd>
        <dt>{t('commands.targets')}</dt>
        <dd>
          {describeTargets(spec, siteName, t)}
          {!namesItsSite && <SitesOf id={command.id} siteName={siteName} />}
        </dd>
        <dt>{t('commands.requestedBy')}</dt>
        <dd>{people(command.createdBy)}</dd>
        <dt>{t('commands.created')}</dt>
        <dd>{formatTime(command.createdAt)}</dd>
        <dt>{t('commands.expires')}</dt>
        <dd>{formatTime(command.expiresAt)}</dd>
        {command.approvalReason && (
          <>
            <dt>{t('commands.whyApproval')}</dt>
            <dd>{command.approvalReason}</dd>
          </>
        )}
      </dl>
      <ApprovalActions command={command} describedBy={titleId} onDone={onDone} />
    </article>
  );
}

/** Commands waiting for a second operator; approving binds the canonical hash shown. */
export function ApprovalsPage() {
  const t = useT();
  const me = useStore(session)?.userId ?? '';
  const emails = useUserEmails();
  const siteName = useSiteNames();
  const people = (userId: string) => personLabel(userId, me, emails, t);
  const list = useApi<CommandPage>('/api/commands?status=awaiting_approval&limit=50');
  const liveReload = useThrottled(list.reload, 1000);
  useLiveEvent('command', liveReload);
  const [notice, setNotice] = useState<{ id: string; outcome: ApprovalOutcome } | undefined>();
  return (
    <section class="cmd-page" aria-labelledby="approvals-title">
      <h1 id="approvals-title">{t('commands.approvalsTitle')}</h1>
      <p class="muted">{t('commands.approvalsIntro')}</p>
      <p role="status" class="cmd-notice">
        {notice && (
          <>
            {notice.outcome === 'approved' ? t('commands.approvedNotice') : t('commands.rejectedNotice')}{' '}
            <a href={href(notice.id)} onClick={onLinkClick}>
              {t('commands.openCommand')}
            </a>
          </>
        )}
      </p>
      <Async data={list.data} error={list.error} reload={list.reload}>
        {(page) => {
          // The cloud filters by status; this keeps the inbox right should it answer with others too.
          const waiting = page.commands.filter((command) => command.status === 'awaiting_approval');
          if (waiting.length === 0) return <p class="muted">{t('commands.noApprovals')}</p>;
          return (
            <>
              <div class="cmd-approval-list">
                {waiting.map((command) => (
                  <ApprovalCard
                    key={command.id}
                    command={command}
                    people={people}
                    siteName={siteName}
                    onDone={(outcome) => {
                      setNotice({ id: command.id, outcome });
                      list.reload();
                    }}
                  />
                ))}
              </div>
              {page.nextCursor !== null && (
                <p>
                  <a href="/commands?status=awaiting_approval" onClick={onLinkClick}>
                    {t('commands.moreApprovals')}
                  </a>
                </p>
              )}
            </>
          );
        }}
      </Async>
    </section>
  );
}
