import { useT } from '../i18n';

/** Placeholder of a page whose feature has not landed. */
export function NotBuilt() {
  const t = useT();
  return <p class="muted">{t('common.notBuilt')}</p>;
}
