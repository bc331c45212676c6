/** A value as one single-quoted shell word: nothing inside it (spaces, $, backticks, quotes) is interpreted. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The first Portal Lite call a client makes with a new key, ready to paste into a shell. The key travels in the
 * `authorization: ApiKey …` header, never in the address (it would end up in proxy logs).
 */
export function portalCurlExample(origin: string, key: string, path = '/api/v1/portal/summary'): string {
  return `curl -s ${shellQuote(`${origin}${path}`)} -H ${shellQuote(`authorization: ApiKey ${key}`)}`;
}
