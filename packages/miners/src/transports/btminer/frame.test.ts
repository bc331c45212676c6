// The privileged framing against the verified vector in the corpus (whatsminer/privileged-test-vector.json):
// key derivation, the exact request bytes btminer expects, and the reply it sends back.
import { createHash } from 'node:crypto';
import { corpusFile, corpusMissing } from '@hashinsight/testkit';
import t from 'tap';
import { decryptReply, encrypt, encryptRequest } from './frame.js';
import { deriveToken } from './token.js';

interface Vector {
  password: string;
  get_token_response: { Msg: { time: string; salt: string; newsalt: string } };
  derived: Record<string, string>;
  request_wire_set_led_manual: string;
  request_wire_set_led_auto: string;
  response_wire: string;
  response_plaintext: string;
}

const vector = (): Vector =>
  JSON.parse(corpusFile('whatsminer/privileged-test-vector.json').toString('utf8'));

t.test('the vector: key, sign, AES key, request and reply', { skip: corpusMissing }, async (t) => {
  const v = vector();
  const token = deriveToken(v.password, v.get_token_response.Msg);
  t.equal(token.sign, v.derived['host_sign (token)']);
  t.equal(token.aesKey.toString('hex'), v.derived.aes256_ecb_key_hex);
  t.equal(
    token.aesKey.toString('hex'),
    createHash('sha256')
      .update(v.derived['host_passwd_md5 (key)'] as string)
      .digest('hex'),
    'the AES key is sha256 of the md5-crypt key',
  );
  const manual = { color: 'red', period: '2000', duration: '1000', start: '0' };
  t.equal(encryptRequest(token.aesKey, 'set_led', manual, token.sign), v.request_wire_set_led_manual);
  t.equal(
    encryptRequest(token.aesKey, 'set_led', { param: 'auto' }, token.sign),
    v.request_wire_set_led_auto,
  );
  const { enc } = JSON.parse(v.response_wire) as { enc: string };
  t.same(decryptReply(token.aesKey, enc), JSON.parse(v.response_plaintext));
});

t.test('a reply that is not what it should be is MINER_BAD_REPLY', { skip: corpusMissing }, async (t) => {
  const v = vector();
  const token = deriveToken(v.password, v.get_token_response.Msg);
  const { enc } = JSON.parse(v.response_wire) as { enc: string };
  const wrong = deriveToken('not-the-password', v.get_token_response.Msg);
  const bad: Array<[string, Buffer, string]> = [
    ['wrong key', wrong.aesKey, enc],
    ['not base64', token.aesKey, '!!!not*base64!!!'],
    ['base64 of a partial block', token.aesKey, Buffer.alloc(15, 7).toString('base64')],
    ['truncated by a block', token.aesKey, Buffer.from(enc, 'base64').subarray(16).toString('base64')],
    ['empty', token.aesKey, ''],
    [
      'whole blocks of non-JSON',
      token.aesKey,
      encrypt(token.aesKey, Buffer.from('{"STATUS":')).toString('base64'),
    ],
  ];
  for (const [name, key, text] of bad) {
    t.throws(() => decryptReply(key, text), { name: 'MinerError', code: 'MINER_BAD_REPLY' }, name);
  }
  let message = '';
  try {
    decryptReply(wrong.aesKey, enc);
  } catch (error) {
    message = (error as Error).message;
  }
  t.equal(message, 'encrypted reply does not decrypt to JSON', 'the noise is not quoted');
});

t.test('padding is NULs up to the block, nothing added to a full block', async (t) => {
  const key = Buffer.alloc(32, 1);
  t.equal(encrypt(key, Buffer.from('x'.repeat(16))).length, 16);
  t.equal(encrypt(key, Buffer.from('x'.repeat(17))).length, 32);
  const inner = JSON.stringify({ STATUS: 'S', Code: 131 });
  t.same(decryptReply(key, encrypt(key, Buffer.from(inner)).toString('base64')), { STATUS: 'S', Code: 131 });
});
