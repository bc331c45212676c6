// The per-tenant cipher cache and the sealed-address memo the ingest uses (no database: a counting source).
import t from 'tap';
import type { IpCipher } from './ip.js';
import { TenantIpCiphers } from './ip-ciphers.js';

function countingSource() {
  const calls: string[] = [];
  let seals = 0;
  let failNext = false;
  const source = async (tenantId: string): Promise<IpCipher> => {
    calls.push(tenantId);
    if (failNext) {
      failNext = false;
      throw new Error('vault unavailable');
    }
    return {
      keyVersion: calls.length,
      seal: (plain, context) => {
        seals += 1;
        return `${seals}:${tenantId}:${context}:${plain}`;
      },
      open: (sealed) => sealed,
      blindIndex: (value) => `${tenantId}:${value}`,
    };
  };
  const failOnce = () => {
    failNext = true;
  };
  return { source, calls, seals: () => seals, failOnce };
}

t.test('a resolved cipher is kept for the TTL, per tenant; a failed resolve is not kept', async (t) => {
  let now = 0;
  const counting = countingSource();
  const ciphers = new TenantIpCiphers(counting.source, 1000, () => now);
  const first = await ciphers.get('a');
  t.equal(await ciphers.get('a'), first);
  await ciphers.get('b');
  t.same(counting.calls, ['a', 'b']);
  now = 1000;
  t.not(await ciphers.get('a'), first, 'resolved again after the TTL (a rotation reaches the ingest)');
  counting.failOnce();
  now = 2000;
  await t.rejects(ciphers.get('a'), /vault unavailable/);
  await ciphers.get('a');
  t.same(counting.calls, ['a', 'b', 'a', 'a', 'a'], 'the failure was retried at once, not cached');
});

t.test('the memo seals an address once per tenant, key version, miner and value; bounded', async (t) => {
  const counting = countingSource();
  const ciphers = new TenantIpCiphers(counting.source, 60_000, Date.now, 2);
  const cipher = await ciphers.get('a');
  const protect = ciphers.protector('a', cipher);
  const m1 = protect('agent', 'm1', '10.0.0.1');
  t.equal(protect('agent', 'm1', '10.0.0.1'), m1, 'same address: the same sealed value');
  t.equal(counting.seals(), 1);
  t.not(protect('agent', 'm1', '10.0.0.2').ip_enc, m1.ip_enc, 'a changed address is sealed');
  t.not(protect('agent', 'm2', '10.0.0.1').ip_enc, m1.ip_enc, 'another miner, its own seal');
  t.equal(counting.seals(), 3);
  protect('agent', 'm3', '10.0.0.3'); // the memo holds 2: m1 is dropped first
  protect('agent', 'm1', '10.0.0.2');
  t.equal(counting.seals(), 5, 'an entry pushed out of the full memo is sealed again');
  const other = await ciphers.get('b');
  ciphers.protector('b', other)('agent', 'm2', '10.0.0.1');
  t.equal(counting.seals(), 6, 'another tenant never reuses a value');
  const rotated = { ...cipher, keyVersion: cipher.keyVersion + 1 };
  ciphers.protector('a', rotated)('agent', 'm2', '10.0.0.1');
  t.equal(counting.seals(), 7, 'a new key version seals anew');
});
