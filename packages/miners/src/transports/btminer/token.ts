import { createHash } from 'node:crypto';
import { md5CryptHash } from './md5-crypt.js';

/** What `get_token` answers in Msg: a counter, the salt of the admin password, and a salt for this token. */
export interface TokenChallenge {
  time: string;
  salt: string;
  newsalt: string;
}

/** What a privileged request needs: the AES key of this miner's password and the sign that names the token. */
export interface Token {
  /** AES-256 key: sha256 of the md5-crypt hash of the admin password (the miner keeps that hash). */
  aesKey: Buffer;
  /** Goes in every request as `"token"`: md5-crypt of (password hash + time) with the token's salt. */
  sign: string;
}

/**
 * btminer API v2's key derivation (WhatsMiner API 2.0.x, pyasic `get_token`): key = md5-crypt(password, salt)
 * third `$` field; sign = md5-crypt(key + time, newsalt) third field; AES key = sha256(key).
 */
export function deriveToken(password: string, challenge: TokenChallenge): Token {
  const key = md5CryptHash(password, challenge.salt);
  return {
    aesKey: createHash('sha256').update(key).digest(),
    sign: md5CryptHash(key + challenge.time, challenge.newsalt),
  };
}
