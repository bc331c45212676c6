import { createHash } from 'node:crypto';
import { AppError } from '../../http/errors.js';
import type { KeyType, KeyValue, MinerSort, SortOrder } from './repository.js';
import type { FleetFilters } from './scope.js';

// An opaque page cursor: the sort keys of the last row served, bound to the sort, the order and the filters it
// was made for. It only says where to continue; the scope (tenant, customer) always comes from the caller's
// token, so a crafted cursor can at most skip rows the caller may see anyway.

interface CursorBody {
  s: MinerSort;
  o: SortOrder;
  /** Fingerprint of the filters. */
  f: string;
  k: KeyValue[];
}

export const cursorInvalid = () =>
  new AppError(
    'MINERS_CURSOR_INVALID',
    400,
    'cursor is not one this list handed out for these filters and sort',
  );

function fingerprint(filters: FleetFilters): string {
  const canonical = JSON.stringify(
    Object.entries(filters)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(
  sort: MinerSort,
  order: SortOrder,
  filters: FleetFilters,
  keys: KeyValue[],
): string {
  const body: CursorBody = { s: sort, o: order, f: fingerprint(filters), k: keys };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The keys in `cursor`, checked against the request and the sort's key types; 400 for anything else. */
export function decodeCursor(
  cursor: string,
  sort: MinerSort,
  order: SortOrder,
  filters: FleetFilters,
  types: readonly KeyType[],
): KeyValue[] {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw cursorInvalid();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw cursorInvalid();
  const { s, o, f, k } = body as Partial<CursorBody>;
  if (s !== sort || o !== order || f !== fingerprint(filters)) throw cursorInvalid();
  if (!Array.isArray(k) || k.length !== types.length) throw cursorInvalid();
  k.forEach((value, i) => {
    const valid =
      types[i] === 'number'
        ? typeof value === 'number' && Number.isSafeInteger(value)
        : typeof value === 'string' && value.length <= 256;
    if (!valid) throw cursorInvalid();
  });
  return k;
}
