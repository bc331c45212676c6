import { createStore, useStore } from '../store';
import { en } from './en';
import { zh } from './zh';

// One i18n mechanism for the console and the portal: every string a user reads comes from `t('area.key')`.
// English is the source; the Chinese dictionary must have exactly the same keys (the typecheck enforces it, a
// test checks the placeholders match).

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];
export const dictionaries = { en, zh } as const;

type English = typeof en;
export type MessageKey = {
  [A in keyof English]: `${A & string}.${keyof English[A] & string}`;
}[keyof English];

const KEY = 'hashinsight.lang';

function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem(KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export const lang = createStore<Lang>(initialLang());

export function setLang(next: Lang): void {
  globalThis.localStorage?.setItem(KEY, next);
  lang.set(next);
}

/** The message for `key` in `language`, with `{name}` placeholders filled from `vars`. */
export function translate(
  language: Lang,
  key: MessageKey,
  vars: Record<string, string | number> = {},
): string {
  const dot = key.indexOf('.');
  const area = dictionaries[language][key.slice(0, dot) as keyof English] as Record<string, string>;
  const text = area[key.slice(dot + 1)] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** `t` in the current language (for code outside components). */
export const t = (key: MessageKey, vars?: Record<string, string | number>): string =>
  translate(lang.get(), key, vars);

/** `t` for components: re-renders them when the language changes. */
export function useT(): typeof t {
  const language = useStore(lang);
  return (key, vars) => translate(language, key, vars);
}
