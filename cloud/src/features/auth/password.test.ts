import t from 'tap';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

t.test('a hash verifies its password and no other', async (t) => {
  const encoded = await hashPassword('correct horse');
  t.match(encoded, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
  t.equal(await verifyPassword('correct horse', encoded), true);
  t.equal(await verifyPassword('correct horsE', encoded), false);
  t.not(await hashPassword('correct horse'), encoded, 'a fresh salt each time');
});

t.test('unreadable or absurd hashes never verify', async (t) => {
  for (const encoded of ['', 'plain', '$scrypt$ln=30,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA', '$bcrypt$x']) {
    t.equal(await verifyPassword('x', encoded), false, JSON.stringify(encoded));
  }
});

t.test('generated passwords are long and distinct', async (t) => {
  const a = generatePassword();
  t.ok(a.length >= 24);
  t.not(a, generatePassword());
});
