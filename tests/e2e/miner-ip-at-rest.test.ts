// Miner IPs encrypted at rest, on the whole path (issue #6): virtual miners on their own loopback addresses ->
// agent -> broker -> ingest -> the cloud's SQLite file. The operator's API shows every address and finds each
// miner by it, while neither a dump of every table nor the database files' bytes hold any address in clear.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger as agentLogger, loadAgentConfig, startAgent } from '@hashinsight/agent';
import { openDatabase } from '@hashinsight/cloud';
import { startFleet } from '@hashinsight/simulator';
import { loopbackAllocator, tempDir, waitFor } from '@hashinsight/testkit';
import { sql } from 'kysely';
import t from 'tap';
import { api, enrollAgent, login, startTestCloud } from './cloud-harness.js';

interface ApiMiner {
  id: string;
  ip: string;
}

/**
 * The forms an address could leak in: text, and text as hex and base64. Not its four bytes as hex: the
 * simulator derives each miner's MAC from its address (02:<octets>:1c), so MAC-based miner ids carry them —
 * a simulator artefact, real MACs do not.
 */
function leakForms(ip: string): string[] {
  const text = Buffer.from(ip);
  return [ip, text.toString('hex'), text.toString('base64')];
}

t.test('the cloud stores no miner address in clear, and staff still find miners by it', async (t) => {
  const dir = tempDir(t);
  const ips = loopbackAllocator.take(4);
  const fleet = await startFleet({ ips, seed: 11 });
  t.teardown(() => fleet.close());
  const cloudDir = join(dir, 'cloud');
  const cloud = await startTestCloud(t, cloudDir, 'owner@e2e.test');
  const token = await login(cloud, 'owner@e2e.test');
  const enrolled = await enrollAgent(cloud, token, 'e2e');
  const agent = startAgent(
    loadAgentConfig({
      HASHINSIGHT_DATA_DIR: join(dir, 'agent'),
      HASHINSIGHT_AGENT_MQTT_USERNAME: enrolled.mqtt.username,
      HASHINSIGHT_AGENT_MQTT_PASSWORD: enrolled.mqtt.password,
      HASHINSIGHT_AGENT_MQTT_URL: `mqtt://127.0.0.1:${cloud.mqttPort}`,
      HASHINSIGHT_AGENT_MINERS: ips.join(','),
      HASHINSIGHT_AGENT_POLL_INTERVAL_MS: '1000',
      HASHINSIGHT_AGENT_POLL_TIMEOUT_MS: '2000',
    }),
    agentLogger('silent'),
  );
  t.teardown(() => agent.stop());

  const miners = await waitFor('every miner listed with its address', async () => {
    const { miners } = await api<{ miners: ApiMiner[] }>(cloud, '/api/miners', token);
    return miners.filter((m) => m.ip !== '').length === ips.length ? miners : undefined;
  });
  t.same(miners.map((m) => m.ip).sort(), [...ips].sort(), 'staff see each decrypted address');
  for (const miner of miners) {
    const { miners: found } = await api<{ miners: ApiMiner[] }>(cloud, `/api/miners?q=${miner.ip}`, token);
    t.same(
      found.map((m) => m.id),
      [miner.id],
      `q=${miner.ip} finds exactly its miner`,
    );
    t.notOk(miner.id.includes(miner.ip), `${miner.id}: the id is not address-based`);
  }
  const subnet = ips[0]?.split('.').slice(0, 3).join('.') ?? '';
  const { miners: inSubnet } = await api<{ miners: ApiMiner[] }>(cloud, `/api/miners?q=${subnet}`, token);
  t.same(
    inSubnet.map((m) => m.ip).sort(),
    ips.filter((ip) => ip.startsWith(`${subnet}.`)).sort(),
    `q=${subnet} finds its /24`,
  );

  // Every table, as SQL sees it, while the cloud runs (WAL: a second connection reads committed rows).
  const db = openDatabase({ dataDir: cloudDir });
  t.teardown(() => db.destroy());
  const { rows: tables } = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table'`.execute(db);
  let dump = '';
  for (const { name } of tables) {
    const { rows } = await sql`select * from ${sql.table(name)}`.execute(db);
    dump += `${name}:${JSON.stringify(rows)}\n`;
  }
  t.match(dump, /miner:\[\{/, 'the dump holds the miners');
  // The database files' bytes too: the main file and its write-ahead log.
  const files = readdirSync(cloudDir)
    .filter((name) => name.startsWith('cloud.sqlite'))
    .map((name) => readFileSync(join(cloudDir, name)).toString('latin1'));
  t.ok(files.length >= 1);
  for (const ip of ips) {
    for (const form of leakForms(ip)) t.notOk(dump.includes(form), `${form} (${ip}) is in no table`);
    for (const file of files) t.notOk(file.includes(ip), `${ip} is in no database file's bytes`);
  }
  t.ok(`${dump}${ips[0]}`.includes(ips[0] ?? '-'), 'the search finds a planted address');
});
