import { render } from 'preact';
import { App } from './app';
import { lang } from './i18n';
import './styles.css';

const root = document.getElementById('app') as HTMLElement;
const applyLang = (value: string) => {
  document.documentElement.lang = value === 'zh' ? 'zh-CN' : 'en';
};
applyLang(lang.get());
lang.subscribe(applyLang);
render(<App />, root);
