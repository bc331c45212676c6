/** A run of whitespace, or a number or bare word (true, null, nan, -inf, 1.5e-3). */
const ATOM = /\s+|[\w.+-]+/y;
const NON_NUMBER = /^-?(?:nan|inf(?:inity)?)$/i;
const QUOTED_NON_NUMBER = /^"-?(?:nan|inf(?:inity)?)"$/i;

/**
 * Minimal repair of the broken JSON that real cgminer-family firmware sends, applied before JSON.parse:
 * - `}{` between objects (bmminer `stats`, Antminer cgminer builds) becomes `},{`
 * - a trailing comma before `]` or `}` is dropped
 * - bare `nan`/`inf` (Avalon), and the quoted values `"nan"`/`"inf"`, become `0`
 *
 * Pure, and a single pass over tokens, so nothing inside a string is touched and hostile input stays linear.
 */
export function repairJson(text: string): string {
  const out: string[] = [];
  let previous = -1; // index in `out` of the last token that is not whitespace
  for (let at = 0; at < text.length; ) {
    const token = tokenAt(text, at);
    at += token.length;
    if (token.trim() === '') {
      out.push(token);
      continue;
    }
    const before = out[previous];
    if (token === '{' && before === '}') out[previous] = '},';
    if ((token === ']' || token === '}') && before === ',') out[previous] = '';
    const isValue = NON_NUMBER.test(token) || (QUOTED_NON_NUMBER.test(token) && !followedByColon(text, at));
    previous = out.push(isValue ? '0' : token) - 1;
  }
  return out.join('');
}

function tokenAt(text: string, start: number): string {
  if (text[start] === '"') return text.slice(start, stringEnd(text, start));
  ATOM.lastIndex = start;
  return ATOM.exec(text)?.[0] ?? text.charAt(start);
}

/** Index just past the string literal opening at `start` (or the end of text if it never closes). */
function stringEnd(text: string, start: number): number {
  for (let at = start + 1; at < text.length; at++) {
    if (text[at] === '\\') at++;
    else if (text[at] === '"') return at + 1;
  }
  return text.length;
}

/** A quoted "nan" before a colon is a key, not a value. */
function followedByColon(text: string, from: number): boolean {
  ATOM.lastIndex = from;
  const space = ATOM.exec(text)?.[0] ?? '';
  return text[from + (space.trim() === '' ? space.length : 0)] === ':';
}
