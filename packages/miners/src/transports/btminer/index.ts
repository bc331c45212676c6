export { BtminerClient, type BtminerOptions, type BtminerReply } from './client.js';
export { decrypt, decryptReply, encrypt, encryptRequest, isBase64 } from './frame.js';
export { md5Crypt, md5CryptHash } from './md5-crypt.js';
export { deriveToken, type Token, type TokenChallenge } from './token.js';
