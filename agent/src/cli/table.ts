/**
 * Text that came from a miner or a file, made safe for a terminal: control characters (an ANSI escape in a model
 * name could rewrite the screen) and bidi overrides become '?'.
 */
export function cell(value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === '') return '-';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** A plain aligned table: a header row, then one row each; columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((text, i) => text.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** "42 s ago", "7 min ago", "3 h ago", "2 d ago". */
export function ago(thenMs: number | undefined, nowMs: number): string {
  if (thenMs === undefined) return '-';
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}
