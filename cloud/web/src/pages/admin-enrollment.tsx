import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatTime } from '../format';
import { type MessageKey, useT } from '../i18n';
import { ErrorBox } from '../ui/async';
import { NamedOptions, type Site, siteNames } from '../ui/scope';
import { ShownOnce } from '../ui/secret';
import { useAction } from '../ui/use-action';
import { enrollCommand } from './admin-lib';

interface CreatedToken {
  siteId: string;
  token: string;
  expiresAt: string;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Validity choices of a token; the cloud allows one minute to 30 days. */
const VALIDITY: readonly { seconds: number; label: MessageKey }[] = [
  { seconds: HOUR, label: 'admin.validityHour' },
  { seconds: DAY, label: 'admin.validityDay' },
  { seconds: 7 * DAY, label: 'admin.validityWeek' },
  { seconds: 30 * DAY, label: 'admin.validityMonth' },
];

/**
 * Creates a one-time enrollment token for a site (admins) and shows it once, with the command the technician
 * runs on the agent's box. The token lives in this component only until "Done" or leaving the page.
 */
export function EnrollmentPanel({
  sites,
  initialSiteId,
}: {
  sites: readonly Site[];
  initialSiteId?: string;
}) {
  const t = useT();
  const [siteId, setSiteId] = useState(initialSiteId ?? '');
  const [validityS, setValidityS] = useState(DAY);
  const { busy, failure, run } = useAction();
  const [pickSite, setPickSite] = useState(false);
  const [created, setCreated] = useState<CreatedToken | undefined>();

  const create = async (event: Event) => {
    event.preventDefault();
    setPickSite(siteId === '');
    if (siteId === '') return;
    await run(async () => {
      const answer = await api<CreatedToken>(`/api/sites/${encodeURIComponent(siteId)}/enrollment-tokens`, {
        method: 'POST',
        body: { expiresInS: validityS },
      });
      setCreated({ siteId: answer.siteId, token: answer.token, expiresAt: answer.expiresAt });
    });
  };

  const siteName = siteNames(sites);

  return (
    <section class="card admin-enroll" aria-labelledby="enroll-title">
      <h2 id="enroll-title">{t('admin.enrollTitle')}</h2>
      <p class="muted">{t('admin.enrollIntro')}</p>
      <form class="admin-form-row" onSubmit={(e) => void create(e)}>
        <label>
          <span>{t('admin.enrollSite')}</span>
          <select value={siteId} required onChange={(e) => setSiteId(e.currentTarget.value)}>
            <option value="">{t('admin.choose')}</option>
            <NamedOptions items={sites} />
          </select>
        </label>
        <label>
          <span>{t('admin.enrollValidity')}</span>
          <select value={String(validityS)} onChange={(e) => setValidityS(Number(e.currentTarget.value))}>
            {VALIDITY.map(({ seconds, label }) => (
              <option key={seconds} value={String(seconds)}>
                {t(label)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('common.working') : t('admin.enrollCreate')}
        </button>
      </form>
      {pickSite && (
        <p class="error" role="alert">
          {t('admin.enrollPickSite')}
        </p>
      )}
      {failure && <ErrorBox error={failure} />}
      {created !== undefined && (
        <ShownOnce
          key={created.token}
          title={t('admin.enrollTokenFor', { site: siteName(created.siteId) })}
          level={3}
          warning={t('admin.enrollShownOnce', { time: formatTime(created.expiresAt) })}
          values={[
            { label: t('admin.enrollToken'), value: created.token, copyLabel: t('admin.copyToken') },
            {
              label: t('admin.enrollCommand'),
              value: enrollCommand(window.location.origin, created.token),
              copyLabel: t('admin.copyCommand'),
              multiline: true,
            },
          ]}
          doneLabel={t('admin.enrollDone')}
          onDone={() => setCreated(undefined)}
        />
      )}
    </section>
  );
}
