export { BtminerClient, type BtminerOptions, type BtminerReply } from './client.js';
export { decryptReply, encrypt, encryptRequest } from './frame.js';
export { md5Crypt, md5CryptHash } from './md5-crypt.js';
export { deriveToken, type Token, type TokenChallenge } from './token.js';
