import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { formatNumber, formatTime } from '../format';
import { useT } from '../i18n';
import { DataTable } from '../ui/data-table';
import { Dialog } from '../ui/dialog';
import { useSiteNames } from '../ui/scope';
import { byCount, describeTargets, TYPE_LABEL } from './commands-describe';
import {
  buildCreateBody,
  type ComposerForm,
  type CreateBody,
  emptyPool,
  type FormProblem,
  initialForm,
  MAX_POOLS,
  type PoolFields,
} from './commands-params';
import {
  COMMAND_TYPES,
  type CommandPreview,
  type CommandSummary,
  type CommandTargets,
  POWER_MODES,
} from './commands-types';
import { actionErrorText } from './commands-widgets';

export type { CommandTargets } from './commands-types';

/** Refused miners listed in the preview; the rest are counted. */
const REFUSED_SHOWN = 20;

/**
 * A fresh Idempotency-Key. getRandomValues rather than randomUUID: the latter exists only in secure contexts, and
 * a console opened over plain HTTP on the site's LAN is not one.
 */
function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const POWER_MODE_KEY = {
  sleep: 'commands.modeSleep',
  low: 'commands.modeLow',
  normal: 'commands.modeNormal',
  high: 'commands.modeHigh',
} as const;

/**
 * Choose an action and its parameters for `targets`, see the preview (how many miners, which sites, whether a
 * second operator must approve), confirm; then `onCreated` with the new command's id.
 */
export function CommandComposer({
  targets,
  onClose,
  onCreated,
}: {
  targets: CommandTargets;
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const t = useT();
  const siteName = useSiteNames();
  const firstField = useRef<HTMLSelectElement>(null);
  const [form, setForm] = useState<ComposerForm>(initialForm);
  const [problems, setProblems] = useState<FormProblem[]>([]);
  const [preview, setPreview] = useState<{ body: CreateBody; answer: CommandPreview } | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  // One key per body for the dialog's life: a double click or a retry after a lost answer is the same command.
  const sent = useRef<{ json: string; key: string } | undefined>(undefined);

  // Shown as a modal (the Dialog's effect runs first, being the child), then the first field takes the focus.
  useEffect(() => firstField.current?.focus(), []);

  const update = (patch: Partial<ComposerForm>) => setForm((previous) => ({ ...previous, ...patch }));
  const updatePool = (index: number, patch: Partial<PoolFields>) =>
    update({ pools: form.pools.map((pool, i) => (i === index ? { ...pool, ...patch } : pool)) });
  const problemOf = (field: string) => problems.find((problem) => problem.field === field);

  const showPreview = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const built = buildCreateBody(form, targets);
    setProblems(built.problems);
    if (built.body === undefined) {
      const first = built.problems[0];
      if (first !== undefined) document.getElementById(`cmd-${first.field}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const answer = await api<CommandPreview>('/api/commands/preview', { method: 'POST', body: built.body });
      setPreview({ body: built.body, answer });
    } catch (failure) {
      setError(actionErrorText(failure, t));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (preview === undefined) return;
    const json = JSON.stringify(preview.body);
    if (sent.current?.json !== json) sent.current = { json, key: newIdempotencyKey() };
    setBusy(true);
    setError(undefined);
    try {
      const created = await api<CommandSummary>('/api/commands', {
        method: 'POST',
        body: preview.body,
        headers: { 'idempotency-key': sent.current.key },
      });
      onCreated(created.id);
    } catch (failure) {
      setError(actionErrorText(failure, t));
      setBusy(false);
    }
  };

  const field = (name: string, label: string, input: ComponentChildren) => {
    const problem = problemOf(name);
    return (
      <label for={`cmd-${name}`}>
        <span>{label}</span>
        {input}
        {problem && (
          <small id={`cmd-${name}-problem`} class="cmd-problem">
            {t(problem.message, problem.vars)}
          </small>
        )}
      </label>
    );
  };
  const invalid = (name: string) =>
    problemOf(name) === undefined
      ? {}
      : { 'aria-invalid': true as const, 'aria-describedby': `cmd-${name}-problem` };

  return (
    <Dialog class="cmd-composer" labelledBy="cmd-composer-title" onClose={onClose}>
      <h2 id="cmd-composer-title">{t('commands.composerTitle')}</h2>
      <p class="muted">{t('commands.composerFor', { targets: describeTargets(targets, siteName, t) })}</p>
      {preview === undefined ? (
        <form class="cmd-form" onSubmit={(e) => void showPreview(e)} noValidate>
          {field(
            'type',
            t('commands.action'),
            <select
              id="cmd-type"
              ref={firstField}
              value={form.type}
              onChange={(e) => update({ type: e.currentTarget.value as ComposerForm['type'] })}
            >
              {COMMAND_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(TYPE_LABEL[type])}
                </option>
              ))}
            </select>,
          )}

          {form.type === 'set_pools' && (
            <>
              {form.pools.map((pool, index) => (
                <fieldset key={index} class="cmd-pool">
                  <legend>{t('commands.poolN', { n: index + 1 })}</legend>
                  {field(
                    `pool-${index}-url`,
                    t('commands.poolUrl'),
                    <input
                      id={`cmd-pool-${index}-url`}
                      type="text"
                      inputMode="url"
                      autocomplete="off"
                      spellcheck={false}
                      placeholder="stratum+tcp://pool.example.com:3333"
                      value={pool.url}
                      onInput={(e) => updatePool(index, { url: e.currentTarget.value })}
                      {...invalid(`pool-${index}-url`)}
                    />,
                  )}
                  {field(
                    `pool-${index}-user`,
                    t('commands.poolUser'),
                    <input
                      id={`cmd-pool-${index}-user`}
                      type="text"
                      autocomplete="off"
                      spellcheck={false}
                      value={pool.user}
                      onInput={(e) => updatePool(index, { user: e.currentTarget.value })}
                      {...invalid(`pool-${index}-user`)}
                    />,
                  )}
                  {field(
                    `pool-${index}-password`,
                    t('commands.poolPassword'),
                    <input
                      id={`cmd-pool-${index}-password`}
                      type="password"
                      autocomplete="new-password"
                      value={pool.password}
                      onInput={(e) => updatePool(index, { password: e.currentTarget.value })}
                    />,
                  )}
                  {form.pools.length > 1 && (
                    <button
                      type="button"
                      onClick={() => update({ pools: form.pools.filter((_, i) => i !== index) })}
                    >
                      {t('commands.removePool', { n: index + 1 })}
                    </button>
                  )}
                </fieldset>
              ))}
              {form.pools.length < MAX_POOLS && (
                <button type="button" onClick={() => update({ pools: [...form.pools, emptyPool()] })}>
                  {t('commands.addPool')}
                </button>
              )}
            </>
          )}

          {form.type === 'led' && (
            <>
              <fieldset class="cmd-choice">
                <legend>{t('commands.ledLegend')}</legend>
                {[true, false].map((on) => (
                  <label key={String(on)} class="cmd-check">
                    <input
                      class="cmd-tick"
                      type="radio"
                      name="cmd-led"
                      checked={form.ledOn === on}
                      onChange={() => update({ ledOn: on })}
                    />
                    <span class="cmd-check-text">{on ? t('commands.ledOn') : t('commands.ledOff')}</span>
                  </label>
                ))}
              </fieldset>
              {form.ledOn &&
                field(
                  'led-duration',
                  t('commands.ledDuration'),
                  <input
                    id="cmd-led-duration"
                    type="number"
                    min={0}
                    max={86_400}
                    step={1}
                    value={form.ledDurationS}
                    onInput={(e) => update({ ledDurationS: e.currentTarget.value })}
                    {...invalid('led-duration')}
                  />,
                )}
            </>
          )}

          {form.type === 'power_mode' &&
            field(
              'power-mode',
              t('commands.powerMode'),
              <select
                id="cmd-power-mode"
                value={form.powerMode}
                onChange={(e) => update({ powerMode: e.currentTarget.value as ComposerForm['powerMode'] })}
              >
                {POWER_MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {t(POWER_MODE_KEY[mode])}
                  </option>
                ))}
              </select>,
            )}

          {form.type === 'power_limit_w' &&
            field(
              'power-limit',
              t('commands.powerLimit'),
              <input
                id="cmd-power-limit"
                type="number"
                min={100}
                max={20_000}
                step={1}
                required
                value={form.powerLimitW}
                onInput={(e) => update({ powerLimitW: e.currentTarget.value })}
                {...invalid('power-limit')}
              />,
            )}

          {form.type === 'update_credentials' && (
            <>
              {field(
                'login-purpose',
                t('commands.loginPurpose'),
                <select
                  id="cmd-login-purpose"
                  value={form.loginPurpose}
                  onChange={(e) => update({ loginPurpose: e.currentTarget.value as 'web' | 'api' })}
                >
                  <option value="web">{t('commands.purposeWeb')}</option>
                  <option value="api">{t('commands.purposeApi')}</option>
                </select>,
              )}
              {field(
                'login-username',
                t('commands.loginUsername'),
                <input
                  id="cmd-login-username"
                  type="text"
                  autocomplete="off"
                  spellcheck={false}
                  value={form.loginUsername}
                  onInput={(e) => update({ loginUsername: e.currentTarget.value })}
                  {...invalid('login-username')}
                />,
              )}
              <label class="cmd-check">
                <input
                  class="cmd-tick"
                  type="checkbox"
                  checked={form.loginGenerate}
                  onChange={(e) => update({ loginGenerate: e.currentTarget.checked, loginPassword: '' })}
                />
                <span class="cmd-check-text">{t('commands.loginGenerate')}</span>
              </label>
              {!form.loginGenerate &&
                field(
                  'login-password',
                  t('commands.loginPassword'),
                  <input
                    id="cmd-login-password"
                    type="password"
                    autocomplete="new-password"
                    value={form.loginPassword}
                    onInput={(e) => update({ loginPassword: e.currentTarget.value })}
                    {...invalid('login-password')}
                  />,
                )}
            </>
          )}

          <details class="cmd-options">
            <summary>{t('commands.options')}</summary>
            <div class="cmd-options-fields">
              {field(
                'expires',
                t('commands.expiresMinutes'),
                <input
                  id="cmd-expires"
                  type="number"
                  min={1}
                  max={10_080}
                  step={1}
                  placeholder="60"
                  value={form.expiresInMinutes}
                  onInput={(e) => update({ expiresInMinutes: e.currentTarget.value })}
                  {...invalid('expires')}
                />,
              )}
              {field(
                'rollout-per-minute',
                t('commands.rolloutPerMinute'),
                <input
                  id="cmd-rollout-per-minute"
                  type="number"
                  min={1}
                  max={10_000}
                  step={1}
                  value={form.rolloutPerMinute}
                  onInput={(e) => update({ rolloutPerMinute: e.currentTarget.value })}
                  {...invalid('rollout-per-minute')}
                />,
              )}
              {field(
                'abort-threshold',
                t('commands.abortThreshold'),
                <input
                  id="cmd-abort-threshold"
                  type="number"
                  min={1}
                  max={100}
                  step={1}
                  value={form.abortThresholdPct}
                  onInput={(e) => update({ abortThresholdPct: e.currentTarget.value })}
                  {...invalid('abort-threshold')}
                />,
              )}
            </div>
          </details>

          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <div class="cmd-actions">
            <button type="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" class="primary" disabled={busy}>
              {busy ? t('commands.previewing') : t('commands.preview')}
            </button>
          </div>
        </form>
      ) : (
        <PreviewStep
          body={preview.body}
          answer={preview.answer}
          busy={busy}
          error={error}
          onBack={() => {
            setError(undefined);
            setPreview(undefined);
          }}
          onConfirm={() => void confirm()}
        />
      )}
    </Dialog>
  );
}

/** What the command will touch, as the cloud resolved it, and the button that sends it. */
function PreviewStep({
  body,
  answer,
  busy,
  error,
  onBack,
  onConfirm,
}: {
  body: CreateBody;
  answer: CommandPreview;
  busy: boolean;
  error: string | undefined;
  onBack: () => void;
  onConfirm: () => void;
}) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  // The form that had focus is gone: the preview's heading takes it, so a screen reader reads on from there.
  useEffect(() => heading.current?.focus(), []);
  const nothing = answer.targetCount === 0;
  const refusedCount = answer.refusedCount ?? answer.refused.length;
  return (
    <section class="cmd-preview" aria-labelledby="cmd-preview-title">
      <h3 id="cmd-preview-title" ref={heading} tabIndex={-1}>
        {t('commands.previewTitle')}
      </h3>
      <p class="cmd-preview-count">
        {nothing
          ? t('commands.previewNothing')
          : t(byCount(answer.targetCount, 'commands.previewCountOne', 'commands.previewCount'), {
              action: t(TYPE_LABEL[body.type]),
              n: formatNumber(answer.targetCount),
            })}
      </p>
      {answer.sites.length > 0 && (
        <DataTable
          caption={t('commands.previewSites')}
          columns={[t('commands.site'), t('commands.miners')]}
          items={answer.sites}
          row={(site) => (
            <tr key={site.siteId ?? ''}>
              <td>{site.siteName ?? site.siteId ?? t('commands.noSite')}</td>
              <td>{formatNumber(site.count)}</td>
            </tr>
          )}
        />
      )}
      {answer.requiresApproval ? (
        <div class="cmd-callout">
          <p>{t('commands.previewNeedsApproval')}</p>
          <ul>
            {answer.approvalReasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      ) : (
        !nothing && <p>{t('commands.previewStartsNow')}</p>
      )}
      {answer.expiresAt && !nothing && (
        <p class="muted">{t('commands.previewExpires', { at: formatTime(answer.expiresAt) })}</p>
      )}
      {refusedCount > 0 && (
        <div class="cmd-refused">
          <h4>
            {t(byCount(refusedCount, 'commands.previewRefusedOne', 'commands.previewRefused'), {
              n: formatNumber(refusedCount),
            })}
          </h4>
          <p>{t('commands.previewRefusedBlocks')}</p>
          <ul class="cmd-refused-list">
            {answer.refused.slice(0, REFUSED_SHOWN).map((miner) => (
              <li key={`${miner.agentId}/${miner.minerId}`}>
                {miner.minerId} ({miner.agentId}): {miner.reason}
              </li>
            ))}
          </ul>
          {refusedCount > Math.min(REFUSED_SHOWN, answer.refused.length) && (
            <p class="muted">
              {t('commands.andMore', {
                n: formatNumber(refusedCount - Math.min(REFUSED_SHOWN, answer.refused.length)),
              })}
            </p>
          )}
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="cmd-actions">
        <button type="button" onClick={onBack} disabled={busy}>
          {t('commands.back')}
        </button>
        <button
          type="button"
          class="primary"
          disabled={busy || nothing || refusedCount > 0}
          onClick={onConfirm}
        >
          {busy
            ? t('commands.sending')
            : answer.requiresApproval
              ? t('commands.sendForApproval')
              : t('commands.send')}
        </button>
      </div>
    </section>
  );
}
