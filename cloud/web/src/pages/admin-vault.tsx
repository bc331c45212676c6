import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { formatNumber, formatTime } from '../format';
import { useT } from '../i18n';
import { Async } from '../ui/async';
import { DataTable } from '../ui/data-table';
import { ConfirmDialog } from '../ui/dialog';
import { useApi } from '../use-api';

interface VaultStatus {
  masterKeyVersion: number;
  masterKeyVersions: number[];
  dataKeys: {
    version: number;
    masterKeyVersion: number;
    operations: number;
    createdAt: string;
    retiredAt: string | null;
  }[];
  credentials: number;
  needRewrap: number;
}

interface Rotated {
  dataKeyVersion: number;
  rewrapped: number;
  retiredVersions: number[];
}

/**
 * The vault's keys for this tenant (admins) and the data-key rotation. Key material never leaves the cloud.
 * `changes` counts the page's saves and deletes: the counts here follow them.
 */
export function VaultStatusCard({ changes, onRotated }: { changes: number; onRotated: () => void }) {
  const t = useT();
  const status = useApi<VaultStatus>('/api/vault/status');
  const { reload } = status;
  const firstChange = useRef(changes);
  useEffect(() => {
    if (changes !== firstChange.current) reload();
  }, [changes, reload]);
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState('');

  const rotate = async () => {
    const rotated = await api<Rotated>('/api/vault/rotate', { method: 'POST', body: {} });
    setResult(
      t('admin.vaultRotated', {
        version: rotated.dataKeyVersion,
        n: rotated.rewrapped,
        retired: rotated.retiredVersions.length === 0 ? t('common.none') : rotated.retiredVersions.join(', '),
      }),
    );
    status.reload();
    onRotated();
  };

  return (
    <section class="card admin-vault" aria-labelledby="vault-title">
      <h2 id="vault-title">{t('admin.vaultTitle')}</h2>
      <Async data={status.data} error={status.error} reload={status.reload}>
        {(vault) => (
          <>
            <dl class="facts">
              <div>
                <dt>{t('admin.vaultMasterKey')}</dt>
                <dd>
                  {t('admin.vaultMasterKeyValue', {
                    version: vault.masterKeyVersion,
                    versions: vault.masterKeyVersions.join(', '),
                  })}
                </dd>
              </div>
              <div>
                <dt>{t('admin.vaultCredentials')}</dt>
                <dd>{formatNumber(vault.credentials)}</dd>
              </div>
              <div>
                <dt>{t('admin.vaultNeedRewrap')}</dt>
                <dd>{formatNumber(vault.needRewrap)}</dd>
              </div>
            </dl>
            {vault.dataKeys.length > 0 && (
              <>
                <h3 class="admin-subtitle">{t('admin.vaultDataKeys')}</h3>
                <DataTable
                  caption={t('admin.vaultDataKeys')}
                  columns={[
                    t('admin.vaultKeyVersion'),
                    t('admin.vaultKeyMaster'),
                    { label: t('admin.vaultKeyOperations'), class: 'admin-num' },
                    t('admin.vaultKeyCreated'),
                    t('admin.vaultKeyRetired'),
                  ]}
                  items={vault.dataKeys}
                  row={(key) => (
                    <tr key={key.version}>
                      <td>{key.version}</td>
                      <td>{key.masterKeyVersion}</td>
                      <td class="admin-num">{formatNumber(key.operations)}</td>
                      <td>{formatTime(key.createdAt)}</td>
                      <td>{key.retiredAt === null ? t('admin.vaultKeyInUse') : formatTime(key.retiredAt)}</td>
                    </tr>
                  )}
                />
              </>
            )}
          </>
        )}
      </Async>
      <div class="actions">
        <button type="button" onClick={() => setConfirming(true)}>
          {t('admin.vaultRotate')}
        </button>
      </div>
      <p role="status">{result}</p>
      <ConfirmDialog
        open={confirming}
        title={t('admin.vaultRotateTitle')}
        message={t('admin.vaultRotateMessage')}
        confirmLabel={t('admin.vaultRotate')}
        onConfirm={rotate}
        onClose={() => setConfirming(false)}
      />
    </section>
  );
}
