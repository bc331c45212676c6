/**
 * A MAC address as a Reading carries it (lowercase, colon-separated) from what firmware reports:
 * "C4:05:09:00:02:9B" (Whatsminer), "123456789012" (Avalon `version`), "aa-bb-..". Anything that is not six
 * bytes is not reported (undefined) rather than guessed at.
 */
export function macAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const hex = value.replace(/[:-]/g, '').toLowerCase();
  return /^[0-9a-f]{12}$/.test(hex) ? hex.replace(/(..)(?!$)/g, '$1:') : undefined;
}
