// The IP-at-rest scheme of ip.ts over the real vault's field cipher: what is sealed opens only for its own miner
// and tenant, blind indexes match exactly the address or subnet they name, and search terms parse as documented.
import t, { type Test } from 'tap';
import { migratedTestDatabase } from '../../test/databases.js';
import { seedTenant } from '../../test/identities.js';
import { vaultIpCiphers } from '../../test/ip-keys.js';
import { ipContext, ipLookupOf, NO_IP, parseIp, protectIp, revealIp } from './ip.js';

async function twoTenants(t: Test) {
  const db = await migratedTestDatabase(t, 'sqlite');
  const ciphers = await vaultIpCiphers(t, db);
  const a = await ciphers.get((await seedTenant(db, 'a')).tenantId);
  const b = await ciphers.get((await seedTenant(db, 'b')).tenantId);
  return { a, b };
}

t.test(
  'parseIp: canonical text, network and host of IPv4 and IPv6; anything else is no address',
  async (t) => {
    t.same(parseIp('10.0.1.5'), { canonical: '10.0.1.5', net: '10.0.1', host: 5 });
    t.same(parseIp('fd00::2:1'), { canonical: 'fd00:0:0:0:0:0:2:1', net: 'fd00:0:0:0', host: 1 });
    t.same(parseIp('FD00:0::ffff'), { canonical: 'fd00:0:0:0:0:0:0:ffff', net: 'fd00:0:0:0', host: 65535 });
    for (const bad of [
      '',
      '10.0.1',
      '10.0.1.256',
      '10.0.1.5/24',
      ' 10.0.1.5',
      'host-1',
      '1.2.3.4.5',
      '::g',
      '%',
    ]) {
      t.equal(parseIp(bad), undefined, JSON.stringify(bad));
    }
  },
);

t.test('sealed addresses open only for their own miner and tenant', async (t) => {
  const { a, b } = await twoTenants(t);
  const m1 = protectIp(a, 'agent-1', 'm1', '10.0.1.5');
  t.not(m1.ip_enc, '');
  t.notMatch(m1.ip_enc, /10\.0\.1\.5/, 'no address text in the sealed value');
  t.equal(m1.ip_host, 5);
  t.equal(revealIp(a, 'agent-1', 'm1', m1.ip_enc), '10.0.1.5');

  const m2 = protectIp(a, 'agent-1', 'm2', '10.0.1.5');
  t.not(m2.ip_enc, m1.ip_enc, 'the same address on two miners: two different sealed values');
  t.equal(m2.ip_index, m1.ip_index, '... and one blind index');
  t.equal(m2.ip_net_index, m1.ip_net_index);
  t.not(m1.ip_index, m1.ip_net_index, 'an address and its network never share an index');

  t.equal(revealIp(a, 'agent-1', 'm2', m1.ip_enc), '', 'copied onto another miner: does not open');
  t.equal(revealIp(a, 'agent-2', 'm1', m1.ip_enc), '', 'another agent with the same miner id: does not open');
  t.equal(revealIp(b, 'agent-1', 'm1', m1.ip_enc), '', "another tenant's key: does not open");
  t.throws(
    () => a.open(m1.ip_enc, ipContext('agent-1', 'm2')),
    'the cipher itself refuses, revealIp hides it',
  );

  // A character in the middle: all six of its bits are data (a final base64 character may carry padding bits).
  const middle = Math.floor(m1.ip_enc.length / 2);
  const flipped = `${m1.ip_enc.slice(0, middle)}${m1.ip_enc[middle] === 'A' ? 'g' : 'A'}${m1.ip_enc.slice(middle + 1)}`;
  t.equal(revealIp(a, 'agent-1', 'm1', flipped), '', 'a tampered value does not open');
  t.equal(revealIp(a, 'agent-1', 'm1', 'garbage'), '');
  t.equal(revealIp(a, 'agent-1', 'm1', ''), '', 'no address');

  const other = protectIp(b, 'agent-1', 'm1', '10.0.1.5');
  t.not(other.ip_index, m1.ip_index, "another tenant's index of the same address differs");
  t.not(other.ip_net_index, m1.ip_net_index);

  // The ids go into the associated data escaped: "a|b" + "c" must not equal "a" + "b|c".
  const pipe = protectIp(a, 'a|b', 'c', '10.0.1.5');
  t.equal(revealIp(a, 'a', 'b|c', pipe.ip_enc), '');
});

t.test('no address, and text that is not an address', async (t) => {
  const { a } = await twoTenants(t);
  t.same(protectIp(a, 'agent-1', 'm1', ''), NO_IP);
  const odd = protectIp(a, 'agent-1', 'm1', 'not-an-ip');
  t.same({ ...odd, ip_enc: '' }, NO_IP, 'sealed but not indexed');
  t.equal(revealIp(a, 'agent-1', 'm1', odd.ip_enc), 'not-an-ip');
});

t.test('search terms: an exact address or a subnet; nothing else looks up addresses', async (t) => {
  const { a } = await twoTenants(t);
  const stored = protectIp(a, 'agent-1', 'm1', '10.0.1.5');
  const v6 = protectIp(a, 'agent-1', 'm6', 'fd00::2:1');
  const exact = { column: 'ip_index', value: stored.ip_index };
  const net = { column: 'ip_net_index', value: stored.ip_net_index };
  t.same(ipLookupOf(a, '10.0.1.5'), exact);
  t.same(ipLookupOf(a, ' 10.0.1.5 '), exact, 'surrounding blanks ignored');
  for (const q of ['10.0.1', '10.0.1.', '10.0.1.*', '10.0.1.x', '10.0.1.0/24'])
    t.same(ipLookupOf(a, q), net, q);
  t.same(
    ipLookupOf(a, 'fd00:0:0:0:0:0:2:1'),
    { column: 'ip_index', value: v6.ip_index },
    'IPv6 in any spelling',
  );
  t.same(ipLookupOf(a, 'fd00::/64'), { column: 'ip_net_index', value: v6.ip_net_index });
  t.not(ipLookupOf(a, '10.0.1.50')?.value, stored.ip_index, 'exact means exact: .50 is not .5');
  for (const q of ['10.0', '10', '10.0.256', '10.0.1.5/16', 'fd00::', 'antminer', '', '%', '10.0.1.0/25']) {
    const lookup = ipLookupOf(a, q);
    t.ok(lookup === undefined || lookup.column === 'ip_index', `${JSON.stringify(q)}: no subnet lookup`);
    t.not(lookup?.value, stored.ip_index, `${JSON.stringify(q)}: does not find 10.0.1.5`);
  }
});
