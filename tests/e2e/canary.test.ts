// The canary search must find what it looks for: a canary planted inside longer messages, in each encoding and at
// each byte alignment, is found and named; clean data of the same shapes gives no hit. Without this, "zero hits" in
// the canary system test would prove nothing.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { CANARY_PREFIX, encodings, newCanary, SecretSearch } from './canary.js';

const wrap = (secret: string, pad: number) =>
  Buffer.concat([randomBytes(pad), Buffer.from(`{"password":"${secret}","n":1}`), randomBytes(7)]);

/** How a leak could look: the secret inside a longer message, encoded as a whole. */
const leaks: Record<string, (secret: string, pad: number) => string | Buffer> = {
  plain: (s, pad) => wrap(s, pad),
  base64: (s, pad) => `data=${wrap(s, pad).toString('base64')};`,
  base64url: (s, pad) => `token=${wrap(s, pad).toString('base64url')}&x=1`,
  hex: (s, pad) => `0x${wrap(s, pad).toString('hex')}`,
  HEX: (s, pad) => wrap(s, pad).toString('hex').toUpperCase(),
  url: (s) => `https://miner.test/cgi?user=root&pwd=${encodeURIComponent(`${s} é/+`)}`,
  percent: (s) => [...Buffer.from(s)].map((b) => `%${b.toString(16)}`).join(''),
  PERCENT: (s) => [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase()}`).join(''),
  binary: (s, pad) => Buffer.concat([randomBytes(pad), Buffer.from([0x12, 0x2e]), Buffer.from(s)]),
};

t.test('a planted canary is found in every encoding and alignment', async (t) => {
  const canary = newCanary();
  const search = new SecretSearch([canary, newCanary()]);
  for (const [name, leak] of Object.entries(leaks)) {
    for (const pad of [0, 1, 2, 3, 4, 5]) {
      const hits = search.scan(name, leak(canary, pad));
      t.ok(hits.length > 0, `${name} with ${pad} bytes before it`);
      t.equal(hits[0]?.secret, CANARY_PREFIX, 'named as a canary');
    }
  }
});

t.test('a non-canary secret (a generated password) is searched by its own forms', async (t) => {
  const generated = randomBytes(12).toString('base64url');
  const search = new SecretSearch([generated]);
  for (const [name, leak] of Object.entries(leaks)) {
    for (const pad of [0, 1, 2]) {
      const hits = search.scan(name, leak(generated, pad));
      t.ok(
        hits.some((hit) => hit.secret === generated),
        `${name} with ${pad} bytes before it`,
      );
    }
  }
});

t.test('clean data of the same shapes has no hit', async (t) => {
  const search = new SecretSearch([newCanary(), 'S3cret-not-here']);
  const other = `HI-CANARX-${'0'.repeat(36)}`;
  for (const [name, leak] of Object.entries(leaks)) {
    t.same(search.scan(name, leak(other, 3)), [], name);
  }
  t.same(search.scan('random', randomBytes(1 << 20)), [], '1 MiB of random bytes');
});

t.test('the forms of a canary are distinct and cover every encoding', async (t) => {
  const forms = encodings(newCanary());
  t.same(
    [...new Set(forms.map((f) => f.encoding))].sort(),
    ['HEX', 'PERCENT', 'base64', 'base64url', 'hex', 'percent', 'plain', 'url'].sort(),
  );
  t.equal(forms.filter((f) => f.encoding === 'base64').length, 3, 'base64 at three alignments');
});
