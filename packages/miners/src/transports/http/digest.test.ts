import t from 'tap';
import { parseDigestChallenge } from './challenge.js';
import { digestAuthorization } from './digest.js';

const responseOf = (header: string) => /response="([0-9a-f]+)"/.exec(header)?.[1];

t.test('RFC 7616 §3.9.1: SHA-256 is preferred when listed first, MD5 gives the RFC hash too', async (t) => {
  const params =
    'realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' +
    'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
  const sha = `Digest ${params}, algorithm=SHA-256`;
  const md5 = `Digest ${params}, algorithm=MD5`;
  const mufasa = { username: 'Mufasa', password: 'Circle of Life' };
  const target = { method: 'GET', uri: '/dir/index.html' };
  const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

  const preferred = parseDigestChallenge([sha, md5]);
  t.equal(preferred.algorithm, 'SHA-256');
  t.equal(
    responseOf(digestAuthorization(preferred, mufasa, target, cnonce)),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
  const header = digestAuthorization(parseDigestChallenge([md5]), mufasa, target, cnonce);
  t.equal(
    header,
    'Digest username="Mufasa", realm="http-auth@example.org", ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", algorithm=MD5, ' +
      'response="8ca523f5e9506fed4657c9700eebdbec", qop=auth, nc=00000001, ' +
      'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  );
});

t.test('RFC 2617 §3.5: MD5 without an algorithm parameter, which is then not echoed', async (t) => {
  const challenge = parseDigestChallenge([
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
      'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  ]);
  const header = digestAuthorization(
    challenge,
    { username: 'Mufasa', password: 'Circle Of Life' },
    { method: 'GET', uri: '/dir/index.html' },
    '0a4f113b',
  );
  t.equal(responseOf(header), '6629fae49393a05397450978507c4ef1');
  t.notMatch(header, /algorithm/);
});

t.test('the RFC 2069 form without qop sends no nc or cnonce', async (t) => {
  const challenge = parseDigestChallenge(['Digest realm="antMiner Configuration", nonce="abc"']);
  const header = digestAuthorization(
    challenge,
    { username: 'root', password: 'root' },
    { method: 'GET', uri: '/' },
  );
  t.notMatch(header, /qop|nc=|cnonce/);
  // MD5(MD5("root:antMiner Configuration:root"):abc:MD5("GET:/")), computed with Python's hashlib.
  t.equal(responseOf(header), '41216aacdd9d85061bdc40bd8479aa06');
});

t.test('MD5-sess folds the nonce and cnonce into HA1', async (t) => {
  const plain = parseDigestChallenge(['Digest realm="r", nonce="n", qop="auth", algorithm=MD5']);
  const sess = parseDigestChallenge(['Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess']);
  const who = { username: 'u', password: 'p' };
  const target = { method: 'GET', uri: '/' };
  t.not(
    responseOf(digestAuthorization(plain, who, target, 'c')),
    responseOf(digestAuthorization(sess, who, target, 'c')),
  );
  t.match(digestAuthorization(sess, who, target, 'c'), /algorithm=MD5-sess/);
});

t.test('quotes and backslashes in the username are escaped; control characters refused', async (t) => {
  const challenge = parseDigestChallenge(['Digest realm="r", nonce="n"']);
  const target = { method: 'GET', uri: '/' };
  t.match(
    digestAuthorization(challenge, { username: 'a"b\\c', password: '' }, target),
    /username="a\\"b\\\\c"/,
  );
  for (const username of ['a\r\nX-Injected: 1', 'tab\u0000', 'caf\u00e9']) {
    t.throws(() => digestAuthorization(challenge, { username, password: 'p' }, target), {
      name: 'MinerError',
      code: 'MINER_AUTH_FAILED',
    });
  }
});
