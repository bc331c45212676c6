import type { CgminerRequest, Reply, StatusLetter } from '../cgminer/index.js';
import type { Machine } from '../machine.js';

/** How a firmware words a status: the code, the message, and S unless said otherwise. */
export type Say = (code: number, msg: string, letter?: StatusLetter) => Reply;

/** cgminer's pool-changing commands; a firmware that allows them from the LAN routes them here. */
export const POOL_COMMANDS: ReadonlySet<string> = new Set([
  'switchpool',
  'enablepool',
  'disablepool',
  'addpool',
  'removepool',
]);

/**
 * cgminer's pool commands with its codes and messages (`api.c`): `switchpool|N`, `enablepool|N`,
 * `disablepool|N`, `removepool|N` and `addpool|URL,USER,PASS` (commas inside a value escaped as `\,`). Changes
 * last until the next reboot, as in cgminer without `save`. Messages name pools by URL, never by password.
 */
export function poolCommand(machine: Machine, request: CgminerRequest, say: Say): Reply {
  if (request.command === 'addpool') return addPool(machine, request.parameter, say);
  const text = request.parameter?.trim() ?? '';
  if (text === '') return say(25, 'Missing pool id parameter', 'E');
  const rows = machine.poolRows();
  const index = /^\d+$/.test(text) ? Number(text) : -1;
  const row = rows.find((pool) => pool.index === index);
  if (row === undefined) {
    return say(26, `Invalid pool id ${text.slice(0, 20)} - range is 0 - ${machine.pools.size - 1}`, 'E');
  }
  const named = `${index}:'${row.url}'`;
  const now = machine.counters();
  switch (request.command) {
    case 'switchpool':
      machine.pools.switchTo(index, now);
      return say(27, `Switching to pool ${named}`);
    case 'enablepool':
      if (row.enabled) return say(49, `Pool ${named} already enabled`, 'I');
      machine.pools.enable(index, true, now);
      return say(47, `Enabling pool ${named}`);
    case 'disablepool':
      if (!row.enabled) return say(50, `Pool ${named} already disabled`, 'I');
      if (rows.filter((pool) => pool.enabled).length === 1) {
        return say(51, `Cannot disable last active pool ${named}`, 'E');
      }
      machine.pools.enable(index, false, now);
      return say(48, `Disabling pool ${named}`);
    default:
      if (!machine.pools.remove(index)) return say(67, `Cannot remove active pool ${named}`, 'E');
      return say(68, `Removed pool ${named}`);
  }
}

function addPool(machine: Machine, parameter: string | undefined, say: Say): Reply {
  if (parameter === undefined || parameter.trim() === '') return say(52, 'Missing addpool details', 'E');
  const [url = '', user = '', password = '', ...rest] = splitEscaped(parameter);
  if (url === '' || user === '' || rest.length > 0) {
    return say(53, `Invalid addpool details '${url.slice(0, 80)}'`, 'E');
  }
  const index = machine.pools.add({ url, user, password });
  return say(55, `Added pool ${index}: '${url}'`);
}

/** Splits cgminer parameters at commas, keeping `\,` and `\\` as the characters they escape. */
export function splitEscaped(text: string): string[] {
  const parts: string[] = [];
  let part = '';
  for (let at = 0; at < text.length; at++) {
    const char = text.charAt(at);
    if (char === '\\' && at + 1 < text.length) part += text.charAt(++at);
    else if (char === ',') {
      parts.push(part);
      part = '';
    } else part += char;
  }
  parts.push(part);
  return parts;
}
