// The whole path on real parts: virtual miners on their own loopback IPs (cgminer API over TCP) -> agent (real
// SQLite outbox) -> the cloud's embedded MQTT broker -> ingest (real SQLite) -> ack -> GET /api/miners.
import { join } from 'node:path';
import {
  createLogger as agentLogger,
  loadAgentConfig,
  type RunningAgent,
  startAgent,
} from '@hashinsight/agent';
import type { RunningCloud } from '@hashinsight/cloud';
import { startFleet } from '@hashinsight/simulator';
import { loopbackAllocator, tempDir, waitFor } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import { enrollAgent, login, startTestCloud } from './cloud-harness.js';

interface ApiMiner {
  id: string;
  ip: string;
  model: string;
  status: string;
  hashrateMhs: number;
  hashrateAvgMhs: number;
  hashrateExpectedMhs: number;
  uptimeS: number;
  pools: Array<{ accepted: number; rejected: number; stale: number }>;
}

async function listMiners(cloud: RunningCloud, token: string): Promise<ApiMiner[]> {
  const response = await fetch(`${cloud.httpUrl}/api/miners`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { success: boolean; data: { miners: ApiMiner[] } };
  return body.data.miners;
}

async function startSystem(t: Test, minerCount: number, fleetModels?: string[]) {
  const dir = tempDir(t);
  const ips = loopbackAllocator.take(minerCount);
  const fleet = await startFleet({ ips, seed: 42, ...(fleetModels ? { models: fleetModels } : {}) });
  t.teardown(() => fleet.close());
  const cloud = await startTestCloud(t, join(dir, 'cloud'), 'owner@e2e.test');
  const token = await login(cloud, 'owner@e2e.test');
  const enrolled = await enrollAgent(cloud, token, 'e2e');
  const config = loadAgentConfig({
    HASHINSIGHT_DATA_DIR: join(dir, 'agent'),
    HASHINSIGHT_AGENT_MQTT_USERNAME: enrolled.mqtt.username,
    HASHINSIGHT_AGENT_MQTT_PASSWORD: enrolled.mqtt.password,
    HASHINSIGHT_AGENT_MQTT_URL: `mqtt://127.0.0.1:${cloud.mqttPort}`,
    HASHINSIGHT_AGENT_MINERS: ips.join(','),
    // One cycle during the test, so the miners' last replies are exactly what was sent.
    HASHINSIGHT_AGENT_POLL_INTERVAL_MS: '3600000',
    HASHINSIGHT_AGENT_POLL_TIMEOUT_MS: '2000',
  });
  const agent: RunningAgent = startAgent(config, agentLogger('silent'));
  t.teardown(() => agent.stop());
  return { fleet, cloud, agent, token, ips };
}

t.test('what the miners report is what the cloud serves', async (t) => {
  const { fleet, cloud, agent, token, ips } = await startSystem(t, 5, ['Antminer S19 Pro', 'Antminer S21']);
  const miners = await waitFor(
    'every miner in the API',
    async () => {
      const listed = await listMiners(cloud, token);
      return listed.length === ips.length && listed.every((m) => m.hashrateMhs > 0) ? listed : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  for (const virtual of fleet.miners) {
    const served = miners.find((m) => m.ip === virtual.ip);
    const said = virtual.snapshot();
    t.ok(served && said, `${virtual.ip} is served and has answered`);
    if (!served || !said) continue;
    t.equal(served.hashrateMhs, said.hashrateMhs, `${virtual.ip} hashrate now`);
    t.equal(served.hashrateAvgMhs, said.hashrateAvgMhs, `${virtual.ip} hashrate average`);
    t.equal(served.uptimeS, said.elapsed, `${virtual.ip} uptime`);
    t.equal(served.model, virtual.model, `${virtual.ip} model`);
    t.equal(served.status, 'ok');
    t.ok(served.hashrateExpectedMhs > 0, 'expected hashrate from the model catalog');
  }
  await waitFor('outbox emptied by the cloud acks', () => (agent.store.backlog() === 0 ? true : undefined));
});

t.test('a miner that dies is reported unreachable without holding up the others', async (t) => {
  const { fleet, cloud, agent, token } = await startSystem(t, 3);
  const [healthy, silent, refusing] = fleet.miners;
  await waitFor('the first cycle served', async () =>
    (await listMiners(cloud, token)).length === 3 ? true : undefined,
  );
  await silent?.setFault('silent');
  await refusing?.setFault('refuse');
  const cycle = await agent.poller.runCycle();
  t.equal(cycle.failed, 2);
  t.ok(cycle.durationMs < 4000, `one silent miner costs at most its own deadline (${cycle.durationMs} ms)`);
  agent.sync.kick();
  const miners = await waitFor('the failures served', async () => {
    const listed = await listMiners(cloud, token);
    return listed.filter((m) => m.status === 'unreachable').length === 2 ? listed : undefined;
  });
  const byIp = (ip: string | undefined) => miners.find((m) => m.ip === ip || m.id === `ip-${ip}`);
  t.equal(byIp(healthy?.ip)?.status, 'ok');
  t.equal(byIp(silent?.ip)?.status, 'unreachable');
  t.equal(byIp(refusing?.ip)?.status, 'unreachable');
  t.equal(byIp(healthy?.ip)?.hashrateMhs, healthy?.snapshot()?.hashrateMhs);
});
