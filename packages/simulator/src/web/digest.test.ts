import { createHash } from 'node:crypto';
import t from 'tap';
import { DigestGuard } from './digest.js';

const login = { username: 'root', password: 'root' };
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** An Authorization header as RFC 7616 builds it, from the challenge's nonce. */
function answer(
  guard: DigestGuard,
  challenge: string,
  overrides: Partial<
    Record<'username' | 'password' | 'uri' | 'method' | 'nonce' | 'qop' | 'realm', string>
  > = {},
) {
  const nonce = overrides.nonce ?? /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const username = overrides.username ?? login.username;
  const realm = overrides.realm ?? guard.realm;
  const uri = overrides.uri ?? '/cgi-bin/get_system_info.cgi';
  const qop = overrides.qop ?? 'auth';
  const ha1 = md5(`${username}:${realm}:${overrides.password ?? login.password}`);
  const ha2 = md5(`${overrides.method ?? 'GET'}:${uri}`);
  const response = md5(`${ha1}:${nonce}:00000001:abc:${qop}:${ha2}`);
  return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", qop=${qop}, nc=00000001, cnonce="abc"`;
}

t.test('a challenge like lighttpd on a stock Antminer', async (t) => {
  const guard = new DigestGuard('antMiner Configuration', () => 1_000);
  t.match(
    guard.challenge(),
    /^Digest realm="antMiner Configuration", nonce="[^"]+", qop="auth", algorithm=MD5$/,
  );
  t.match(guard.challenge(true), /, stale=true$/);
});

t.test('judges credentials', async (t) => {
  let now = 1_000_000;
  const guard = new DigestGuard('antMiner Configuration', () => now);
  const uri = '/cgi-bin/get_system_info.cgi';
  const challenge = guard.challenge();
  t.equal(guard.verify('GET', uri, undefined, login), 'missing');
  t.equal(guard.verify('GET', uri, 'Basic cm9vdDpyb290', login), 'missing', 'Basic is no Digest');
  t.equal(guard.verify('GET', uri, answer(guard, challenge), login), 'ok');
  t.equal(guard.verify('GET', uri, answer(guard, challenge, { password: 'admin' }), login), 'refused');
  t.equal(guard.verify('GET', uri, answer(guard, challenge, { username: 'admin' }), login), 'refused');
  t.equal(guard.verify('GET', uri, answer(guard, challenge), undefined), 'refused', 'nobody gets in');
  t.equal(guard.verify('POST', uri, answer(guard, challenge), login), 'refused', 'signed for another method');
  t.equal(
    guard.verify('GET', '/cgi-bin/reboot.cgi', answer(guard, challenge), login),
    'refused',
    'signed for another path',
  );
  t.equal(guard.verify('GET', uri, answer(guard, challenge, { qop: 'auth-int' }), login), 'refused');
  t.equal(guard.verify('GET', uri, answer(guard, challenge, { realm: 'other' }), login), 'refused');
  t.equal(
    guard.verify(
      'GET',
      uri,
      answer(guard, challenge, { nonce: Buffer.from('1:forged').toString('base64') }),
      login,
    ),
    'refused',
    'a nonce this guard did not sign',
  );
  t.equal(
    guard.verify(
      'GET',
      uri,
      answer(guard, new DigestGuard('antMiner Configuration', () => now).challenge()),
      login,
    ),
    'refused',
    "another miner's nonce",
  );
  now += 6 * 60_000;
  t.equal(
    guard.verify('GET', uri, answer(guard, challenge), login),
    'stale',
    'right login on an expired nonce',
  );
  t.equal(guard.verify('GET', uri, answer(guard, challenge, { password: 'x' }), login), 'refused');
});

t.test('hostile headers are refused without trouble', async (t) => {
  const guard = new DigestGuard('antMiner Configuration', () => 1);
  const uri = '/';
  for (const header of [
    'Digest ',
    'Digest username',
    'Digest ,,,,=====""""',
    `Digest username="${'a'.repeat(5000)}"`,
    'Digest nonce="%%%", response="zz"',
    `Digest ${'x=y, '.repeat(800)}`,
  ]) {
    t.equal(guard.verify('GET', uri, header, login), 'refused', header.slice(0, 30));
  }
});
