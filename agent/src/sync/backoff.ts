/** Reconnect delays: 1 s doubling to a 30 s cap, with ±20 % jitter so a site's agents do not reconnect in step. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}
