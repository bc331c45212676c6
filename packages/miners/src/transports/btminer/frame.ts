import { createCipheriv, createDecipheriv } from 'node:crypto';
import { MinerError } from '../../errors.js';

/**
 * The privileged request on the wire: `{"enc":1,"data":base64(AES-256-ECB(JSON))}`, the JSON padded with NULs to
 * the 16-byte block (no PKCS#7), its `cmd` first and `token` last as MicroBT's examples put them.
 */
export function encryptRequest(
  aesKey: Buffer,
  cmd: string,
  params: Readonly<Record<string, string>>,
  sign: string,
): string {
  const plain = JSON.stringify({ cmd, ...params, token: sign });
  return JSON.stringify({ enc: 1, data: encrypt(aesKey, Buffer.from(plain, 'utf8')).toString('base64') });
}

/** NUL-padded to the block, then AES-256-ECB without padding of its own. */
export function encrypt(aesKey: Buffer, plain: Buffer): Buffer {
  const padded = Buffer.alloc(Math.ceil(plain.length / 16) * 16 || 16);
  plain.copy(padded);
  const cipher = createCipheriv('aes-256-ecb', aesKey, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** AES-256-ECB without padding of its own: `data` must be whole 16-byte blocks. NUL padding is left on. */
export function decrypt(aesKey: Buffer, data: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-ecb', aesKey, null).setAutoPadding(false);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/** Standard base64 with its padding, as btminer sends and expects it. */
export function isBase64(text: string): boolean {
  return BASE64.test(text) && text.length % 4 === 0;
}

/**
 * The plaintext of an `{"enc":"<base64>"}` reply: base64 of whole AES blocks, NUL-padded JSON inside. Anything
 * else (not base64, not whole blocks, not JSON once decrypted, as a wrong key gives) is MINER_BAD_REPLY.
 */
export function decryptReply(aesKey: Buffer, enc: string): unknown {
  const compact = enc.replace(/\s+/g, '');
  if (!isBase64(compact)) {
    throw new MinerError('MINER_BAD_REPLY', 'encrypted reply is not base64');
  }
  const data = Buffer.from(compact, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new MinerError('MINER_BAD_REPLY', `encrypted reply is ${data.length} bytes, not whole AES blocks`);
  }
  const text = decrypt(aesKey, data).toString('utf8').replace(/\0+$/, '');
  try {
    return JSON.parse(text);
  } catch (cause) {
    // The text is not quoted: decrypted with a wrong key it is noise, and it might hold the miner's secrets.
    throw new MinerError('MINER_BAD_REPLY', 'encrypted reply does not decrypt to JSON', { cause });
  }
}
