import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { useIsAdmin } from '../auth';
import { formatNumber, formatTime } from '../format';
import { type MessageKey, useT } from '../i18n';
import { useLiveEvent } from '../live';
import { useThrottled } from '../throttle';
import { Async } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { ConfirmDialog } from '../ui/dialog';
import { type Site, siteNames, useScope } from '../ui/scope';
import { StatusBadge } from '../ui/status-badge';
import { useApi } from '../use-api';
import { EnrollmentPanel } from './admin-enrollment';
import type { AgentView } from './admin-lib';

const STATUS_LABEL: Record<AgentView['status'], MessageKey> = {
  online: 'admin.agentOnline',
  offline: 'admin.agentOffline',
  revoked: 'admin.agentRevoked',
};

/** Agents (online, version, last sync, backlog) and enrollment token creation. */
export function AgentsPage() {
  const t = useT();
  const admin = useIsAdmin();
  const { siteId } = useScope();
  const agents = useApi<{ agents: AgentView[] }>(`/api/agents${query({ siteId })}`);
  const sites = useApi<{ sites: Site[] }>('/api/sites');
  const [revoking, setRevoking] = useState<AgentView | undefined>();
  const [notice, setNotice] = useState('');

  const reload = useThrottled(agents.reload);
  // Telemetry stored moves "last sync" and the backlog; seconds do not matter there, and a busy fleet stores
  // something every second.
  const reloadForSync = useThrottled(agents.reload, 5000);
  useLiveEvent<{ siteId?: string }>('agent', (event) => {
    if (event === undefined || siteId === undefined || event.siteId === siteId) reload();
  });
  useLiveEvent<{ siteIds?: string[] }>('fleet', (event) => {
    if (event === undefined || siteId === undefined || (event.siteIds ?? []).includes(siteId))
      reloadForSync();
  });

  const siteName = siteNames(sites.data?.sites);

  const revoke = async (agent: AgentView) => {
    await api(`/api/agents/${encodeURIComponent(agent.id)}/revoke`, { method: 'POST' });
    setNotice(t('admin.agentRevokedNotice', { name: agent.hostname }));
    agents.reload();
  };

  return (
    <div class="admin-page">
      <h1>{t('admin.agentsTitle')}</h1>
      <p class="visually-hidden" role="status">
        {notice}
      </p>
      <Async data={agents.data} error={agents.error} reload={agents.reload}>
        {({ agents: list }) => (
          <DataTable
            caption={t('admin.agentsCaption', { n: list.length })}
            columns={[
              t('admin.agentHostname'),
              t('admin.agentSite'),
              t('admin.agentVersion'),
              t('admin.agentStatus'),
              t('admin.agentLastSeen'),
              t('admin.agentLastSync'),
              { label: t('admin.agentBacklog'), class: 'admin-num' },
              admin && t('admin.actions'),
            ]}
            items={list}
            empty={t('admin.agentsEmpty')}
            row={(agent) => (
              <tr key={agent.id}>
                <td>
                  <span title={agent.id}>{agent.hostname}</span>
                </td>
                <td>{siteName(agent.siteId)}</td>
                <td>{agent.agentVersion}</td>
                <td>
                  <StatusBadge status={agent.status} label={t(STATUS_LABEL[agent.status])} />
                </td>
                <td>{formatTime(agent.lastSeenAt)}</td>
                <td>{formatTime(agent.lastSyncAt)}</td>
                <td class="admin-num">{formatNumber(agent.backlogSamples)}</td>
                {admin && (
                  <td>
                    {agent.status !== 'revoked' && (
                      <button
                        type="button"
                        aria-label={t('admin.revokeAgentNamed', { name: agent.hostname })}
                        onClick={() => setRevoking(agent)}
                      >
                        {t('admin.revoke')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            )}
          />
        )}
      </Async>
      {admin && sites.data !== undefined && (
        <EnrollmentPanel
          sites={sites.data.sites}
          {...(siteId === undefined ? {} : { initialSiteId: siteId })}
        />
      )}
      <ConfirmDialog
        open={revoking !== undefined}
        title={t('admin.revokeTitle', { name: revoking?.hostname ?? '' })}
        message={t('admin.revokeMessage')}
        confirmLabel={t('admin.revoke')}
        onConfirm={() => (revoking ? revoke(revoking) : Promise.resolve())}
        onClose={() => setRevoking(undefined)}
      />
    </div>
  );
}
