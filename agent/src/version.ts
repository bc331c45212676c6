import { readFileSync } from 'node:fs';

/** The agent's version, from its package.json (announced in the birth message, shown by --version and /status). */
export const AGENT_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
