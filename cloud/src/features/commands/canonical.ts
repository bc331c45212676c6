import { createHash, createHmac } from 'node:crypto';

// Canonical JSON (object keys sorted, no whitespace) and the hashes built on it: the command hash an approval
// binds, and the keyed hash of a request body that idempotency compares.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

export function canonicalJson(value: Json | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What an approval covers: everything that decides what will happen to which miner, when. */
export interface CanonicalCommand {
  tenantId: string;
  type: string;
  /** Stored params (vault references, never secrets). */
  params: Json;
  notBefore: number;
  expiresAt: number;
  effectTimeoutS: number;
  rolloutPerMinute: number;
  abortThresholdPct: number;
  abortMinExecuted: number;
  targets: readonly {
    agentId: string;
    minerId: string;
    credentialId: string | null;
    credentialVersion: number | null;
  }[];
}

/** SHA-256 hex of the canonical command; targets in a fixed order so the same set always hashes the same. */
export function commandHash(command: CanonicalCommand): string {
  const targets = [...command.targets]
    .sort((a, b) => (a.agentId === b.agentId ? cmp(a.minerId, b.minerId) : cmp(a.agentId, b.agentId)))
    .map((t) => [t.agentId, t.minerId, t.credentialId, t.credentialVersion]);
  const document = canonicalJson({ v: 1, ...command, targets } as unknown as Json);
  return createHash('sha256').update(document).digest('hex');
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** HMAC-SHA256 hex of a request body: comparable across instances, yet a password inside cannot be guessed. */
export function requestHash(key: Buffer, body: unknown): string {
  return createHmac('sha256', key)
    .update(canonicalJson(body as Json))
    .digest('hex');
}
