import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { session, sessionFrom, type TokenPair } from '../auth';
import { useT } from '../i18n';
import { ErrorBox } from '../ui/async';
import { LanguagePicker } from '../ui/layout';
import { useAction } from '../ui/use-action';

export function LoginPage() {
  const t = useT();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, failure, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    await run(async () => {
      const tokens = await api<TokenPair>('/api/auth/login', { method: 'POST', body: { email, password } });
      session.set(sessionFrom(email, tokens));
    });
  };
  const wrongLogin = failure instanceof ApiError && failure.status === 401;

  return (
    <main id="main" class="login">
      <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">{t('common.loginTitle')}</h1>
        <label>
          <span>{t('common.email')}</span>
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          <span>{t('common.password')}</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {failure &&
          (wrongLogin ? (
            <p class="error" role="alert">
              {t('common.loginFailed')}
            </p>
          ) : (
            <ErrorBox error={failure} />
          ))}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('common.loggingIn') : t('common.login')}
        </button>
        <LanguagePicker />
      </form>
    </main>
  );
}
