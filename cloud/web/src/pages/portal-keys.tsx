import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatTime } from '../format';
import { useT } from '../i18n';
import { Async, ErrorBox } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { ConfirmDialog } from '../ui/dialog';
import { ShownOnce } from '../ui/secret';
import { StatusBadge } from '../ui/status-badge';
import { useAction } from '../ui/use-action';
import { useApi } from '../use-api';
import { portalCurlExample } from './portal-curl';

interface PortalKey {
  id: string;
  name: string;
  /** The key's first characters, to tell keys apart (the key itself is never shown again). */
  prefix?: string;
  createdAt: string;
  /** Only when the cloud records key use; absent is "not known", not "never". */
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

interface CreatedKey {
  id: string;
  name: string;
  key: string;
}

const MAX_NAME = 100;

/**
 * A hosting client's Portal Lite API keys (GET/POST/DELETE /api/portal/keys, the caller's customer only): create
 * one with a name and see its secret once, list them with their last use, revoke one after a confirmation.
 */
export function PortalKeysPage() {
  const t = useT();
  const keys = useApi<{ keys: PortalKey[] }>('/api/portal/keys');
  const [created, setCreated] = useState<CreatedKey | undefined>();
  const [revoking, setRevoking] = useState<PortalKey | undefined>();

  return (
    <div class="portal-keys">
      <h1>{t('portal.keysTitle')}</h1>
      <p class="muted">{t('portal.keysIntro')}</p>
      {created === undefined ? (
        <CreateKeyForm
          onCreated={(key) => {
            setCreated(key);
            keys.reload();
          }}
        />
      ) : (
        <ShownOnce
          title={t('portal.newKeyTitle', { name: created.name })}
          level={2}
          warning={t('portal.newKeyWarning')}
          values={[{ label: t('portal.newKeyLabel'), value: created.key, copyLabel: t('portal.copy') }]}
          doneLabel={t('portal.newKeyDone')}
          onDone={() => setCreated(undefined)}
        >
          <p>{t('portal.curlIntro')}</p>
          <pre class="portal-curl">
            <code>{portalCurlExample(window.location.origin, created.key)}</code>
          </pre>
        </ShownOnce>
      )}
      <section aria-labelledby="portal-keys-list">
        <h2 id="portal-keys-list">{t('portal.keysList')}</h2>
        <Async data={keys.data} error={keys.error} reload={keys.reload}>
          {({ keys: list }) => {
            const tracksUse = list.some((key) => key.lastUsedAt !== undefined);
            return (
              <DataTable
                caption={t('portal.keysList')}
                columns={[
                  t('portal.keyName'),
                  t('portal.keyCreated'),
                  tracksUse && t('portal.keyLastUsed'),
                  t('portal.keyState'),
                  { label: t('portal.keyActions'), hidden: true },
                ]}
                items={list}
                empty={t('portal.noKeys')}
                row={(key) => (
                  <tr key={key.id}>
                    <td>
                      {key.name}
                      {key.prefix && <code class="portal-key-prefix">{`${key.prefix}…`}</code>}
                    </td>
                    <td>{formatTime(key.createdAt)}</td>
                    {tracksUse && (
                      <td>{key.lastUsedAt ? formatTime(key.lastUsedAt) : t('portal.keyNeverUsed')}</td>
                    )}
                    <td>
                      {key.revokedAt ? (
                        <StatusBadge
                          status="revoked"
                          label={t('portal.keyRevokedAt', { time: formatTime(key.revokedAt) })}
                        />
                      ) : (
                        <StatusBadge status="ok" label={t('portal.keyActive')} />
                      )}
                    </td>
                    <td>
                      {!key.revokedAt && (
                        <button
                          type="button"
                          class="danger"
                          aria-label={t('portal.revokeNamed', { name: key.name })}
                          onClick={() => setRevoking(key)}
                        >
                          {t('portal.revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                )}
              />
            );
          }}
        </Async>
      </section>
      <ConfirmDialog
        open={revoking !== undefined}
        title={t('portal.revokeTitle', { name: revoking?.name ?? '' })}
        message={t('portal.revokeWarning')}
        confirmLabel={t('portal.revokeConfirm')}
        onConfirm={async () => {
          if (revoking === undefined) return;
          await api(`/api/portal/keys/${encodeURIComponent(revoking.id)}`, { method: 'DELETE' });
          keys.reload();
        }}
        onClose={() => setRevoking(undefined)}
      />
    </div>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const { busy, failure, run } = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') return;
    await run(async () => {
      onCreated(await api<CreatedKey>('/api/portal/keys', { method: 'POST', body: { name: trimmed } }));
      setName('');
    });
  };
  return (
    <form class="card toolbar" onSubmit={(e) => void submit(e)} aria-labelledby="portal-key-create">
      <h2 id="portal-key-create" class="portal-keys-form-title">
        {t('portal.createKey')}
      </h2>
      <label class="portal-key-name">
        <span>{t('portal.keyName')}</span>
        <input
          type="text"
          value={name}
          required
          maxLength={MAX_NAME}
          placeholder={t('portal.keyNamePlaceholder')}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary" disabled={busy || name.trim() === ''}>
        {t('portal.createKey')}
      </button>
      {failure && <ErrorBox error={failure} />}
    </form>
  );
}
