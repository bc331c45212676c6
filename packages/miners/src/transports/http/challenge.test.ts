import t from 'tap';
import { parseDigestChallenge } from './challenge.js';

t.test('reads the challenges miners and RFCs send', async (t) => {
  const cases: Array<[string, string[], object]> = [
    [
      'lighttpd on an Antminer (quoted algorithm, charset)',
      ['Digest realm="antMiner Configuration", charset="UTF-8", algorithm="MD5", qop="auth", nonce="6a:9f"'],
      { realm: 'antMiner Configuration', nonce: '6a:9f', algorithm: 'MD5', qop: 'auth', stale: false },
    ],
    [
      'no qop, no algorithm (RFC 2069)',
      ['Digest realm="antMiner Configuration", nonce="abc"'],
      { realm: 'antMiner Configuration', nonce: 'abc', algorithm: undefined, qop: undefined },
    ],
    ['stale in any case, unquoted', ['Digest realm="r", nonce="n2", qop=auth, stale=TRUE'], { stale: true }],
    ['escapes inside quotes', ['Digest realm="a \\"b\\" \\\\ c", nonce="n"'], { realm: 'a "b" \\ c' }],
    ['Basic first in the same header', ['Basic realm="x", Digest realm="y", nonce="n"'], { realm: 'y' }],
    ['Basic in another header', ['Basic realm="x"', 'Digest realm="y", nonce="n"'], { realm: 'y' }],
    ['token68 scheme before Digest', ['Negotiate abc==, Digest realm="y", nonce="n"'], { realm: 'y' }],
    [
      'an unsupported algorithm is skipped for the next challenge',
      ['Digest realm="r", nonce="n", algorithm=SHA-512-256, Digest realm="r", nonce="m", algorithm=MD5'],
      { nonce: 'm', algorithm: 'MD5' },
    ],
    ['auth among others', ['Digest realm="r", nonce="n", qop="auth-int, auth"'], { qop: 'auth' }],
    ['opaque is kept', ['Digest realm="r", nonce="n", opaque="o"'], { opaque: 'o' }],
    ['extra spaces and commas', ['  Digest   realm = "r" ,, nonce="n" ,'], { realm: 'r', nonce: 'n' }],
  ];
  for (const [name, headers, expected] of cases) t.match(parseDigestChallenge(headers), expected, name);
});

t.test('no challenge we can answer is an authentication failure', async (t) => {
  const cases: Array<[string, string[]]> = [
    ['no header', []],
    ['Basic only', ['Basic realm="antMiner Configuration"']],
    ['auth-int only', ['Digest realm="r", nonce="n", qop="auth-int"']],
    ['unknown algorithm', ['Digest realm="r", nonce="n", algorithm=SHA-512-256']],
  ];
  for (const [name, headers] of cases) {
    t.throws(() => parseDigestChallenge(headers), { name: 'MinerError', code: 'MINER_AUTH_FAILED' }, name);
  }
});

t.test('a malformed challenge is a bad reply', async (t) => {
  const cases: Array<[string, string]> = [
    ['unterminated quote', 'Digest realm="r, nonce="n'],
    ['no nonce', 'Digest realm="r"'],
    ['no realm', 'Digest nonce="n"'],
    ['no scheme', 'realm="r", nonce="n"'],
    ['stray quote', 'Digest realm="r" "x", nonce="n"'],
    ['backslash at the end', 'Digest realm="r\\'],
  ];
  for (const [name, header] of cases) {
    t.throws(() => parseDigestChallenge([header]), { name: 'MinerError', code: 'MINER_BAD_REPLY' }, name);
  }
});
