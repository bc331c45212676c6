import { useState } from 'preact/hooks';
import { api } from '../api';
import { useIsAdmin } from '../auth';
import { formatTime } from '../format';
import { type MessageKey, useT } from '../i18n';
import { onLinkClick } from '../router';
import { Async } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { ConfirmDialog } from '../ui/dialog';
import { type Site, siteNames } from '../ui/scope';
import { useApi } from '../use-api';
import { CredentialForm } from './admin-credential-form';
import { VaultStatusCard } from './admin-vault';

/** GET /api/credentials: metadata only — the cloud has no route that returns a username or password. */
interface CredentialMeta {
  id: string;
  scope: {
    kind: 'miner' | 'model' | 'site' | 'pool';
    agentId?: string;
    minerId?: string;
    model?: string;
    siteId?: string;
  };
  purpose: 'web' | 'api' | 'pool';
  version: number | null;
  pendingVersion: number | null;
  updatedAt: string;
}

const KIND_LABEL: Record<CredentialMeta['scope']['kind'], MessageKey> = {
  site: 'admin.scopeSite',
  model: 'admin.scopeModel',
  miner: 'admin.scopeMiner',
  pool: 'admin.scopePool',
};

const PURPOSE_LABEL: Record<CredentialMeta['purpose'], MessageKey> = {
  web: 'admin.purposeWeb',
  api: 'admin.purposeApi',
  pool: 'admin.purposePool',
};

/** Miner, site and model credentials: write-only fields, metadata only ever shown. */
export function CredentialsPage() {
  const t = useT();
  const admin = useIsAdmin();
  const credentials = useApi<{ credentials: CredentialMeta[] }>('/api/credentials');
  const sites = useApi<{ sites: Site[] }>('/api/sites');
  const [deleting, setDeleting] = useState<CredentialMeta | undefined>();
  const [notice, setNotice] = useState('');
  const [changes, setChanges] = useState(0);
  const changed = () => {
    setChanges((n) => n + 1);
    credentials.reload();
  };

  const siteName = siteNames(sites.data?.sites);

  const target = (scope: CredentialMeta['scope']) => {
    switch (scope.kind) {
      case 'site':
        return siteName(scope.siteId ?? '');
      case 'model':
        return scope.model ?? '';
      case 'miner': {
        const href = `/miners/${encodeURIComponent(scope.agentId ?? '')}/${encodeURIComponent(scope.minerId ?? '')}`;
        return (
          <a href={href} onClick={onLinkClick}>
            {scope.minerId} <span class="muted">({scope.agentId})</span>
          </a>
        );
      }
      default:
        return t('admin.scopePoolTarget');
    }
  };
  const describe = (credential: CredentialMeta) =>
    `${t(KIND_LABEL[credential.scope.kind])} ${
      credential.scope.siteId !== undefined
        ? siteName(credential.scope.siteId)
        : (credential.scope.model ?? credential.scope.minerId ?? '')
    } · ${t(PURPOSE_LABEL[credential.purpose])}`;

  const remove = async (credential: CredentialMeta) => {
    await api(`/api/credentials/${encodeURIComponent(credential.id)}`, { method: 'DELETE' });
    setNotice(t('admin.credDeleted', { what: describe(credential) }));
    changed();
  };

  return (
    <div class="admin-page">
      <h1>{t('admin.credentialsTitle')}</h1>
      <p class="muted">{t('admin.credentialsIntro')}</p>
      <p class="visually-hidden" role="status">
        {notice}
      </p>
      {admin && sites.data !== undefined && <CredentialForm sites={sites.data.sites} onSaved={changed} />}
      <section aria-labelledby="cred-list-title">
        <h2 id="cred-list-title">{t('admin.credListTitle')}</h2>
        <Async data={credentials.data} error={credentials.error} reload={credentials.reload}>
          {({ credentials: list }) => (
            <DataTable
              caption={t('admin.credCaption', { n: list.length })}
              columns={[
                t('admin.credScope'),
                t('admin.credTarget'),
                t('admin.credPurpose'),
                t('admin.credVersion'),
                t('admin.credUpdated'),
                admin && t('admin.actions'),
              ]}
              items={list}
              empty={t('admin.credEmpty')}
              row={(credential) => (
                <tr key={credential.id}>
                  <td>{t(KIND_LABEL[credential.scope.kind])}</td>
                  <td class="admin-wrap">{target(credential.scope)}</td>
                  <td>{t(PURPOSE_LABEL[credential.purpose])}</td>
                  <td>
                    {credential.version ?? t('common.none')}
                    {credential.pendingVersion !== null && (
                      <span class="muted">
                        {' '}
                        {t('admin.credPending', { version: credential.pendingVersion })}
                      </span>
                    )}
                  </td>
                  <td>{formatTime(credential.updatedAt)}</td>
                  {admin && (
                    <td>
                      <button
                        type="button"
                        aria-label={t('admin.credDeleteNamed', { what: describe(credential) })}
                        onClick={() => setDeleting(credential)}
                      >
                        {t('admin.delete')}
                      </button>
                    </td>
                  )}
                </tr>
              )}
            />
          )}
        </Async>
      </section>
      {admin && <VaultStatusCard changes={changes} onRotated={credentials.reload} />}
      <ConfirmDialog
        open={deleting !== undefined}
        title={t('admin.credDeleteTitle')}
        message={deleting ? t('admin.credDeleteMessage', { what: describe(deleting) }) : ''}
        confirmLabel={t('admin.delete')}
        onConfirm={() => (deleting ? remove(deleting) : Promise.resolve())}
        onClose={() => setDeleting(undefined)}
      />
    </div>
  );
}
