import { useRef, useState } from 'preact/hooks';
import { api, query } from '../api';
import { useT } from '../i18n';
import { ErrorBox } from '../ui/async';
import { NamedOptions, type Site } from '../ui/scope';
import { useAction } from '../ui/use-action';
import { useDebounced } from '../ui/use-debounced';
import { useApi } from '../use-api';
import {
  credentialBody,
  MODEL_MAX,
  PASSWORD_MAX,
  type Purpose,
  type ScopeKind,
  USERNAME_MAX,
} from './admin-lib';

interface MinerHit {
  id: string;
  agentId: string;
  hostname?: string;
  model?: string;
  ip?: string;
}

const SEARCH_LIMIT = 20;

const minerLabel = (miner: MinerHit) =>
  [miner.hostname || miner.id, miner.model, miner.ip]
    .filter((part) => part !== undefined && part !== '')
    .join(' · ');

/**
 * Sets a miner login (admins): where it applies, what for, username and password. The username and password are
 * read from their fields when sent and the fields are emptied after saving: neither is ever kept in state nor
 * shown again (the cloud returns metadata only).
 */
export function CredentialForm({ sites, onSaved }: { sites: readonly Site[]; onSaved: () => void }) {
  const t = useT();
  const [kind, setKind] = useState<ScopeKind>('site');
  const [siteId, setSiteId] = useState('');
  const [model, setModel] = useState('');
  const [search, setSearch] = useState('');
  const [minerKey, setMinerKey] = useState('');
  const [purpose, setPurpose] = useState<Purpose>('web');
  const { busy, failure, run, forget } = useAction();
  const [problem, setProblem] = useState<string | undefined>();
  const [saved, setSaved] = useState('');
  const username = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);

  const q = useDebounced(search.trim());
  const miners = useApi<{ miners: MinerHit[] }>(
    kind === 'miner' && q !== '' ? `/api/miners${query({ q, limit: SEARCH_LIMIT })}` : undefined,
  );
  const hits = kind === 'miner' && q !== '' ? (miners.data?.miners ?? []) : [];
  const keyOf = (miner: MinerHit) => JSON.stringify([miner.agentId, miner.id]);
  const picked = hits.find((miner) => keyOf(miner) === minerKey);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved('');
    const body = credentialBody({
      kind,
      siteId,
      model,
      miner: picked === undefined ? undefined : { agentId: picked.agentId, minerId: picked.id },
      purpose,
      username: username.current?.value ?? '',
      password: password.current?.value ?? '',
    });
    if (typeof body === 'string') {
      setProblem(t(`admin.${body}`, { max: body.endsWith('TooLong') ? limitOf(body) : 0 }));
      forget();
      return;
    }
    setProblem(undefined);
    await run(async () => {
      const ref = await api<{ id: string; version: number }>('/api/credentials', { method: 'PUT', body });
      if (username.current) username.current.value = '';
      if (password.current) password.current.value = '';
      setSaved(t('admin.credSaved', { version: ref.version }));
      onSaved();
    });
  };

  return (
    <section class="card admin-cred-form" aria-labelledby="cred-form-title">
      <h2 id="cred-form-title">{t('admin.credFormTitle')}</h2>
      <p class="muted">{t('admin.credFormIntro')}</p>
      <form onSubmit={(e) => void submit(e)} autocomplete="off">
        <div class="admin-form-grid">
          <label>
            <span>{t('admin.credScope')}</span>
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value as ScopeKind)}>
              <option value="site">{t('admin.scopeSite')}</option>
              <option value="model">{t('admin.scopeModel')}</option>
              <option value="miner">{t('admin.scopeMiner')}</option>
            </select>
          </label>
          {kind === 'site' && (
            <label>
              <span>{t('admin.credSite')}</span>
              <select value={siteId} onChange={(e) => setSiteId(e.currentTarget.value)}>
                <option value="">{t('admin.choose')}</option>
                <NamedOptions items={sites} />
              </select>
            </label>
          )}
          {kind === 'model' && (
            <label>
              <span>{t('admin.credModel')}</span>
              <input
                value={model}
                maxLength={MODEL_MAX}
                placeholder="Antminer S19"
                onInput={(e) => setModel(e.currentTarget.value)}
              />
            </label>
          )}
          {kind === 'miner' && (
            <>
              <label>
                <span>{t('admin.credMinerSearch')}</span>
                <input
                  type="search"
                  value={search}
                  maxLength={200}
                  onInput={(e) => setSearch(e.currentTarget.value)}
                />
              </label>
              <label>
                <span>{t('admin.credMiner')}</span>
                <select value={picked ? minerKey : ''} onChange={(e) => setMinerKey(e.currentTarget.value)}>
                  <option value="">
                    {q === ''
                      ? t('admin.credMinerTypeFirst')
                      : miners.loading
                        ? t('common.loading')
                        : t('admin.credMinerHits', { n: hits.length })}
                  </option>
                  {hits.map((miner) => (
                    <option key={keyOf(miner)} value={keyOf(miner)}>
                      {minerLabel(miner)}
                    </option>
                  ))}
                </select>
              </label>
            </>
          )}
          <label>
            <span>{t('admin.credPurpose')}</span>
            <select value={purpose} onChange={(e) => setPurpose(e.currentTarget.value as Purpose)}>
              <option value="web">{t('admin.purposeWeb')}</option>
              <option value="api">{t('admin.purposeApi')}</option>
            </select>
          </label>
          <label>
            <span>{t('admin.credUsername')}</span>
            <input ref={username} name="miner-username" autocomplete="off" maxLength={USERNAME_MAX} />
          </label>
          <label>
            <span>{t('admin.credPassword')}</span>
            <input
              ref={password}
              type="password"
              name="miner-password"
              autocomplete="new-password"
              maxLength={PASSWORD_MAX}
            />
          </label>
        </div>
        {miners.error !== undefined && kind === 'miner' && <ErrorBox error={miners.error} />}
        {problem !== undefined && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        {failure && <ErrorBox error={failure} />}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('common.working') : t('admin.credSave')}
          </button>
        </div>
        <p role="status">{saved}</p>
      </form>
    </section>
  );
}

function limitOf(problem: string): number {
  if (problem === 'credModelTooLong') return MODEL_MAX;
  if (problem === 'credUsernameTooLong') return USERNAME_MAX;
  return PASSWORD_MAX;
}
