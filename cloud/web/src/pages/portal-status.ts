import type { MessageKey, t as translateFn } from '../i18n';
import type { MinerStatus } from './miners-query';

// The portal's own words: a hosting client reads "No data yet" where staff read "Unknown".
const LABELS: Record<MinerStatus, MessageKey> = {
  ok: 'portal.statusOk',
  degraded: 'portal.statusDegraded',
  offline: 'portal.statusOffline',
  unreachable: 'portal.statusUnreachable',
  auth_failed: 'portal.statusAuthFailed',
  sleeping: 'portal.statusSleeping',
  unknown: 'portal.statusUnknown',
  stale: 'portal.statusStale',
};

/** A status in the reader's language; one the console does not know yet is shown as the cloud names it. */
export function statusLabel(t: typeof translateFn, status: string): string {
  // Own keys only: a status named like an Object.prototype member ('constructor') is not a message.
  return Object.hasOwn(LABELS, status) ? t(LABELS[status as keyof typeof LABELS]) : status;
}
