/** One cgminer-API request: its command, its parameter as text, and the form it came in (the reply uses it). */
export interface CgminerRequest {
  command: string;
  parameter?: string;
  form: 'json' | 'text';
}

/** What a firmware's API server accepts besides cgminer's `{"command":..,"parameter":..}`. */
export interface RequestForms {
  /** cgminer's plain `command|parameter` (cgminer-based firmware). */
  text: boolean;
  /** btminer's `{"cmd":..}` beside `{"command":..}`. */
  cmdKey: boolean;
}

/** A request the API server cannot read: cgminer's Code 23 (not JSON) or 24 (no command). */
export interface RequestError {
  code: 23 | 24;
  msg: string;
}

/**
 * Reads one request the way cgminer's `api.c` does: JSON when it starts with `{` (a number parameter becomes
 * text), else the text form split at the first `|`. A firmware without the text form calls anything else invalid
 * JSON, as btminer and BOSminer do.
 */
export function parseRequest(raw: string, forms: RequestForms): CgminerRequest | RequestError {
  const text = raw.replace(/\0+$/, '').trim();
  if (!text.startsWith('{')) {
    if (!forms.text) return { code: 23, msg: 'Invalid JSON' };
    const bar = text.indexOf('|');
    return bar === -1
      ? { command: text, form: 'text' }
      : { command: text.slice(0, bar), parameter: text.slice(bar + 1), form: 'text' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { code: 23, msg: 'Invalid JSON' };
  }
  const fields = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {};
  const command =
    'command' in fields ? fields.command : forms.cmdKey && 'cmd' in fields ? fields.cmd : undefined;
  if (typeof command !== 'string') return { code: 24, msg: "Missing JSON 'command'" };
  const parameter = 'parameter' in fields ? fields.parameter : undefined;
  if (typeof parameter === 'string' || typeof parameter === 'number') {
    return { command, parameter: String(parameter), form: 'json' };
  }
  return { command, form: 'json' };
}
