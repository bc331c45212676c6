import t from 'tap';
import { md5Crypt, md5CryptHash } from './md5-crypt.js';

t.test('published $1$ vectors', async (t) => {
  // glibc's crypt test (md5c-test.c): the salt is cut at 8 characters.
  t.equal(md5Crypt('Hello world!', '$1$saltstring'), '$1$saltstri$YMyguxXMBpd2TEZ.vS/3q1');
  // passlib's md5_crypt documentation example.
  t.equal(md5Crypt('password', '3azHgidD'), '$1$3azHgidD$SrJPt7B.9rekpmwJwtON31');
});

t.test('edge cases, as `openssl passwd -1 -salt` computes them', async (t) => {
  t.equal(md5Crypt('', 'abc'), '$1$abc$Or2rbeUYTvt12aiVzMuS/.', 'empty password, short salt');
  t.equal(md5Crypt('x'.repeat(70), 'a.b/c9Z'), '$1$a.b/c9Z$OMZ1uxBPdiyd0nc4inFyd1', 'past 64 bytes');
  t.equal(md5Crypt('pässwörd', '12345678'), '$1$12345678$mQ1/t.WwP76MO4VquZEL.0', 'UTF-8 bytes');
  t.equal(
    md5Crypt('Hello world!', '$1$saltstri$ignored'),
    '$1$saltstri$YMyguxXMBpd2TEZ.vS/3q1',
    'salt ends at $',
  );
});

t.test('md5CryptHash is the third $ field', async (t) => {
  t.equal(md5CryptHash('password', '3azHgidD'), 'SrJPt7B.9rekpmwJwtON31');
  t.match(md5CryptHash('anything', 'salt'), /^[./0-9A-Za-z]{22}$/);
});
