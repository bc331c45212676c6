// What the ingest stores of a miner's identity (issue #6): driver and capabilities as reported (bounded), the
// address sealed and blind-indexed, never in clear — on both dialects, for both writers.
import { ipToBytes } from '@hashinsight/protocol';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import type { Db, Dialect } from '../../db/index.js';
import { testEachDialect } from '../../test/databases.js';
import { enrollTestAgent, MINER_ID, sample } from '../../test/helpers.js';
import { vaultIpCiphers } from '../../test/ip-keys.js';
import { type IpCipher, ipLookupOf, revealIp, TenantIpCiphers } from '../miners/index.js';
import { IDENTITY_COLUMNS, NO_IDENTITY } from './mapping.js';
import { ingestTelemetry } from './service.js';

const NOW = 1_795_000_500_000;

t.test('the writers bind every stored identity column', async (t) => {
  t.same([...IDENTITY_COLUMNS].sort(), Object.keys(NO_IDENTITY).sort());
});

const withIdentity = (seq: number, identity: Record<string, unknown>, minerId = MINER_ID) => {
  const base = sample(seq);
  return { ...base, minerId, identity: { ...base.identity, minerId, ...identity } };
};
const bare = (seq: number, minerId = MINER_ID) => sample(seq, { minerId, identity: null });

const miner = (db: Db, minerId = MINER_ID) =>
  db.selectFrom('miner').selectAll().where('id', '=', minerId).executeTakeFirstOrThrow();

async function tenantOf(db: Db, agentId: string): Promise<string> {
  const row = await db
    .selectFrom('agent')
    .select('tenant_id')
    .where('id', '=', agentId)
    .executeTakeFirstOrThrow();
  return row.tenant_id ?? '';
}

/** Every row of every table of this database as JSON text (PostgreSQL: this run's schema only). */
async function dump(db: Db, dialect: Dialect): Promise<string> {
  const own =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const tables = (await db.introspection.getTables()).filter((t) => own === undefined || t.schema === own);
  const parts: string[] = [];
  for (const table of tables) {
    const { rows } = await sql`select * from ${sql.table(table.name)}`.execute(db);
    parts.push(`${table.name}:${JSON.stringify(rows)}`);
  }
  return parts.join('\n');
}

/** `ip` as the forms a leak could take: text, its bytes in hex, text and bytes in base64. */
function leakForms(ip: string): string[] {
  const bytes = Buffer.from(ipToBytes(ip));
  const text = Buffer.from(ip);
  return [ip, bytes.toString('hex'), text.toString('hex'), text.toString('base64'), bytes.toString('base64')];
}

async function setup(t: Test, db: Db) {
  await enrollTestAgent(db, 'agent-1');
  const ips = await vaultIpCiphers(t, db);
  const cipher = await ips.get(await tenantOf(db, 'agent-1'));
  return { ips, cipher };
}

function expectAddress(t: Test, row: Awaited<ReturnType<typeof miner>>, cipher: IpCipher, ip: string) {
  t.equal(row.ip, '', 'miner.ip stays empty');
  t.equal(revealIp(cipher, row.agent_id, row.id, row.ip_enc), ip, 'ip_enc opens to the address');
  t.equal(row.ip_index, ipLookupOf(cipher, ip)?.value, 'ip_index finds the exact address');
  const net = ip.split('.').slice(0, 3).join('.');
  t.equal(row.ip_net_index, ipLookupOf(cipher, net)?.value, 'ip_net_index finds its /24');
  t.equal(row.ip_host, Number(ip.split('.')[3]));
}

testEachDialect('an identity is stored with driver and capabilities, its address sealed', async (t, db) => {
  const { ips, cipher } = await setup(t, db);
  await ingestTelemetry(
    db,
    'agent-1',
    {
      epoch: 1,
      samples: [withIdentity(1, { driver: 'antminer-stock', capabilities: ['reboot', 'led', 'set-login'] })],
    },
    NOW,
    ips,
  );
  const row = await miner(db);
  t.match(row, {
    driver: 'antminer-stock',
    capabilities: '["reboot","led","set-login"]',
    model: 'Antminer S19 Pro',
  });
  expectAddress(t, row, cipher, '10.0.0.21');

  // Samples without identity keep everything; an identity with a new address replaces it.
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [bare(2)] }, NOW, ips);
  t.same(await miner(db), { ...row, last_seen_at: bare(2).timeMs }, 'a bare sample changes only last seen');
  await ingestTelemetry(
    db,
    'agent-1',
    { epoch: 1, samples: [withIdentity(3, { ip: ipToBytes('10.0.7.200'), driver: 'antminer-stock' })] },
    NOW,
    ips,
  );
  const moved = await miner(db);
  expectAddress(t, moved, cipher, '10.0.7.200');
  t.equal(moved.capabilities, '[]', 'an identity without capabilities says the driver has none');
});

testEachDialect('hostile driver ids and capability lists are bounded', async (t, db) => {
  const { ips } = await setup(t, db);
  const capabilities = [
    'reboot',
    'reboot',
    'REBOOT',
    'x'.repeat(65),
    'led\u0000',
    'power-mode',
    'emoji-🔥',
    '',
    ' led',
    ...Array.from({ length: 100 }, (_, i) => `cap-${i}`),
  ];
  await ingestTelemetry(
    db,
    'agent-1',
    { epoch: 1, samples: [withIdentity(1, { driver: 'Antminer; drop table miner', capabilities })] },
    NOW,
    ips,
  );
  const row = await miner(db);
  t.equal(row.driver, '', 'a driver id that is not a short token is not stored');
  const stored = JSON.parse(row.capabilities) as string[];
  t.equal(stored.length, 32, 'at most 32 capabilities');
  t.same(
    stored.slice(0, 3),
    ['reboot', 'power-mode', 'cap-0'],
    'duplicates and non-tokens dropped, order kept',
  );
  await ingestTelemetry(
    db,
    'agent-1',
    { epoch: 1, samples: [withIdentity(2, { driver: 'd'.repeat(65) })] },
    NOW,
    ips,
  );
  t.equal((await miner(db)).driver, '', 'over 64 characters');
});

testEachDialect('no IP text anywhere in the database after ingest', async (t, db, dialect) => {
  const { ips } = await setup(t, db);
  // An agent without a tenant (never enrolled into one): no key, so its miners' addresses are dropped.
  await enrollTestAgent(db, 'agent-stray');
  await db
    .updateTable('agent')
    .set({ tenant_id: null, site_id: null })
    .where('id', '=', 'agent-stray')
    .execute();
  const addresses = ['10.0.0.21', '192.168.77.13', '172.16.5.250'];
  await ingestTelemetry(
    db,
    'agent-1',
    {
      epoch: 1,
      samples: addresses.map((ip, i) => withIdentity(i + 1, { ip: ipToBytes(ip) }, `m${i}`)),
    },
    NOW,
    ips,
  );
  await ingestTelemetry(
    db,
    'agent-stray',
    { epoch: 1, samples: [withIdentity(1, { ip: ipToBytes('10.99.99.99') }, 'stray')] },
    NOW,
    ips,
  );
  // Without ciphers (a caller that passes none) the address is dropped too, never stored in clear.
  await ingestTelemetry(
    db,
    'agent-1',
    { epoch: 2, samples: [withIdentity(1, { ip: ipToBytes('10.88.88.88') }, 'unkeyed')] },
    NOW,
  );
  t.equal((await miner(db, 'stray')).ip_enc, '', 'a tenantless miner keeps no address');
  t.equal((await miner(db, 'unkeyed')).ip_enc, '', 'no ciphers: no address');
  t.equal((await miner(db, 'm1')).ip_enc === '', false, 'the keyed ones are sealed');
  const text = await dump(db, dialect);
  t.ok(text.includes('ip_enc'), 'the dump holds the miner table');
  for (const ip of [...addresses, '10.99.99.99', '10.88.88.88']) {
    for (const form of leakForms(ip)) t.notOk(text.includes(form), `${ip} as ${form} is nowhere`);
  }
  // The search works on a planted value, so the zero hits above mean something.
  t.ok(`${text}10.0.0.21`.includes('10.0.0.21'));
});

testEachDialect('a stored clear address is replaced when the identity arrives', async (t, db) => {
  const { ips, cipher } = await setup(t, db);
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [bare(1)] }, NOW, ips);
  // As a row from before migration 0014 would hold it.
  await db.updateTable('miner').set({ ip: '10.0.0.21' }).where('id', '=', MINER_ID).execute();
  await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [withIdentity(2, {})] }, NOW, ips);
  expectAddress(t, await miner(db), cipher, '10.0.0.21');
});

testEachDialect(
  'the hot path: no key for bare batches, no new seal for a re-sent identity',
  async (t, db) => {
    await enrollTestAgent(db, 'agent-1');
    const real = await vaultIpCiphers(t, db);
    let resolves = 0;
    let seals = 0;
    const ips = new TenantIpCiphers(async (tenantId) => {
      resolves += 1;
      const cipher = await real.get(tenantId);
      return {
        keyVersion: cipher.keyVersion,
        seal: (plain: string, context: string) => {
          seals += 1;
          return cipher.seal(plain, context);
        },
        open: (sealed: string, context: string) => cipher.open(sealed, context),
        blindIndex: (value: string) => cipher.blindIndex(value),
      };
    }, 600_000); // a TTL no slow run reaches: this counts resolves
    for (let seq = 1; seq <= 5; seq++) {
      await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [bare(seq)] }, NOW, ips);
    }
    t.equal(resolves, 0, 'no identity, no key');
    const first = await (async () => {
      await ingestTelemetry(db, 'agent-1', { epoch: 1, samples: [withIdentity(6, {})] }, NOW, ips);
      return (await miner(db)).ip_enc;
    })();
    // The agent restarts: new sessions re-send the same identity.
    for (let epoch = 2; epoch <= 5; epoch++) {
      await ingestTelemetry(db, 'agent-1', { epoch, samples: [withIdentity(1, {})] }, NOW, ips);
    }
    t.equal(resolves, 1, 'one resolve for five identity batches of one tenant');
    t.equal(seals, 1, 'the same address is sealed once');
    t.equal((await miner(db)).ip_enc, first, 'and keeps its stored value');
    await ingestTelemetry(
      db,
      'agent-1',
      { epoch: 6, samples: [withIdentity(1, { ip: ipToBytes('10.0.0.22') })] },
      NOW,
      ips,
    );
    t.equal(seals, 2, 'a changed address is sealed again');
    t.not((await miner(db)).ip_enc, first);
  },
);
