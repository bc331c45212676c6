import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { isAdmin, isStaff, type Session, session } from '../auth';
import { LANGS, type Lang, lang, type MessageKey, setLang, useT } from '../i18n';
import { canStream, liveConnected, useLiveStream } from '../live';
import { onLinkClick, useLocation } from '../router';
import { useStore } from '../store';
import { ScopeSwitcher } from './scope';

interface NavItem {
  href: string;
  label: MessageKey;
  show: (s: Session) => boolean;
}

const NAV: readonly NavItem[] = [
  { href: '/', label: 'common.navOverview', show: (s) => isStaff(s.role) },
  { href: '/miners', label: 'common.navMiners', show: (s) => isStaff(s.role) },
  { href: '/commands', label: 'common.navCommands', show: (s) => isStaff(s.role) },
  { href: '/approvals', label: 'common.navApprovals', show: (s) => isStaff(s.role) },
  { href: '/agents', label: 'common.navAgents', show: (s) => isStaff(s.role) },
  { href: '/credentials', label: 'common.navCredentials', show: (s) => isStaff(s.role) },
  { href: '/audit', label: 'common.navAudit', show: (s) => isAdmin(s.role) },
  { href: '/profitability', label: 'common.navProfitability', show: () => true },
  { href: '/portal', label: 'common.navPortal', show: (s) => s.role === 'customer' },
  { href: '/portal/keys', label: 'common.navPortalKeys', show: (s) => s.role === 'customer' },
];

const LANG_NAMES: Record<Lang, string> = { en: 'English', zh: '中文' };

export function LanguagePicker() {
  const t = useT();
  const current = useStore(lang);
  return (
    <label class="lang">
      <span class="visually-hidden">{t('common.language')}</span>
      <select value={current} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
        {LANGS.map((code) => (
          <option key={code} value={code}>
            {LANG_NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}

async function logout(): Promise<void> {
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } finally {
    session.set(null);
  }
}

/** The frame of every page after login: header, navigation (a menu button on a phone), the page itself. */
export function Layout({ current, children }: { current: Session; children: ComponentChildren }) {
  const t = useT();
  const { path } = useLocation();
  const live = useStore(liveConnected);
  const [menuOpen, setMenuOpen] = useState(false);
  const items = NAV.filter((item) => item.show(current));
  const streams = canStream(current.role);
  useLiveStream(streams);
  // The nav item of the page: the longest href that is the path or a folder of it (/portal/keys is "API keys",
  // not also "My miners").
  const within = (href: string) => path === href || (href !== '/' && path.startsWith(`${href}/`));
  const activeHref = items
    .map((item) => item.href)
    .filter(within)
    .sort((a, b) => b.length - a.length)[0];
  return (
    <>
      <a class="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header class="topbar">
        <button
          type="button"
          class="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          {t('common.menu')}
        </button>
        <strong class="brand">{t('common.appName')}</strong>
        {isStaff(current.role) && <ScopeSwitcher />}
        {streams && (
          <span class={`live-dot ${live ? 'on' : 'off'}`} role="status">
            {live ? t('common.live') : t('common.offlineStream')}
          </span>
        )}
        <LanguagePicker />
        <span class="muted who">{t('common.signedInAs', { email: current.email })}</span>
        <button type="button" onClick={() => void logout()}>
          {t('common.logout')}
        </button>
      </header>
      <div class="frame">
        <nav id="main-nav" class={menuOpen ? 'open' : ''} aria-label={t('common.mainNavigation')}>
          <ul>
            {items.map((item) => (
              <li key={item.href}>
                <a
                  href={item.href}
                  aria-current={item.href === activeHref ? 'page' : undefined}
                  onClick={(e) => {
                    setMenuOpen(false);
                    onLinkClick(e);
                  }}
                >
                  {t(item.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </>
  );
}
