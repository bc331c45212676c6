import { createHash } from 'node:crypto';
import { cursorInvalid } from './errors.js';

// The command list's page cursor: the id of the last command served, bound to the filters it was made for (a
// cursor of another filter set is refused rather than read as a position in this one). It only says where to
// continue: the tenant always comes from the caller's token.

/** The list's filters; every key optional. */
export interface CommandListFilters {
  status?: string | undefined;
  agentId?: string | undefined;
  minerId?: string | undefined;
  createdBy?: string | undefined;
}

interface CursorBody {
  /** Id of the last command of the page. */
  i: string;
  /** Fingerprint of the filters. */
  f: string;
}

/** Ids are UUIDv7 (36 characters); anything much longer was not made here. */
const MAX_ID_LENGTH = 64;

function fingerprint(filters: CommandListFilters): string {
  const canonical = JSON.stringify(
    Object.entries(filters)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(lastId: string, filters: CommandListFilters): string {
  const body: CursorBody = { i: lastId, f: fingerprint(filters) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The id to continue before; 400 COMMANDS_CURSOR_INVALID for a cursor of other filters or not made here. */
export function decodeCursor(cursor: string, filters: CommandListFilters): string {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw cursorInvalid();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw cursorInvalid();
  const { i, f } = body as Partial<CursorBody>;
  if (typeof i !== 'string' || i === '' || i.length > MAX_ID_LENGTH || f !== fingerprint(filters)) {
    throw cursorInvalid();
  }
  return i;
}
