import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../http/errors.js';

// Portal page cursors are signed (HMAC-SHA256) and bound to the customer and the list they came from: a forged
// cursor, another customer's or another list's is refused outright instead of being read as a position. (The
// scope comes from the token anyway; the signature makes guessing and replaying across clients pointless.)

export const cursorInvalid = () =>
  new AppError('PORTAL_CURSOR_INVALID', 400, 'cursor is not one this list handed out to you');

export type CursorKey = (string | number)[];

export class CursorSigner {
  constructor(private readonly key: Buffer) {}

  encode(customerId: string, list: string, position: CursorKey): string {
    const body = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${body}.${this.mac(customerId, list, body)}`;
  }

  /** The position in `cursor`, checked against its signature and the key types expected; 400 otherwise. */
  decode(
    customerId: string,
    list: string,
    cursor: string,
    types: readonly ('string' | 'number')[],
  ): CursorKey {
    const dot = cursor.indexOf('.');
    if (dot <= 0) throw cursorInvalid();
    const body = cursor.slice(0, dot);
    const given = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(customerId, list, body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw cursorInvalid();
    let position: unknown;
    try {
      position = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw cursorInvalid();
    }
    if (!Array.isArray(position) || position.length !== types.length) throw cursorInvalid();
    position.forEach((value, i) => {
      if (typeof value !== types[i]) throw cursorInvalid();
    });
    return position as CursorKey;
  }

  private mac(customerId: string, list: string, body: string): string {
    return createHmac('sha256', this.key).update(`${customerId}\n${list}\n${body}`).digest('base64url');
  }
}
