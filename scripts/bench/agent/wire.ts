// `npm run bench -- agent wire`: bytes per sample on the wire, MQTT included (every PUBLISH header and topic,
// the PUBACKs, CONNECT/SUBSCRIBE/birth), counted on the broker's sockets while the real CloudSync sends
// (1) live: a 5,000-miner site at 60 s for 10 minutes, one append a second, each sent as it comes, and
// (2) backlog: the same 10 minutes drained after an outage, up to 2,000 samples a message.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentStore, CloudSync } from '@hashinsight/agent';
import pino from 'pino';
import { startAckerBroker } from './acker.ts';
import { fleetTemplates, siteSecond } from './samples.ts';

const MINERS = 5000;
const INTERVAL_S = 60;
const SECONDS = 600;
const START_MS = Date.UTC(2026, 0, 1);

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function scenario(label: string, live: boolean): Promise<void> {
  const fleet = await fleetTemplates(MINERS);
  const seconds = Array.from({ length: SECONDS }, (_, s) => siteSecond(fleet, s, INTERVAL_S, START_MS));
  const dir = await mkdtemp(join(tmpdir(), 'bench-wire-'));
  const agentId = `bench-wire-${live ? 'live' : 'backlog'}`;
  const broker = await startAckerBroker(agentId);
  const store = new AgentStore(dir, () => START_MS);
  const sync = new CloudSync(
    store,
    { agentId, mqttUrl: broker.url, agentVersion: 'bench', hostname: 'bench' },
    pino({ level: 'warn' }),
  );
  try {
    let samples = 0;
    if (!live) for (const batch of seconds) samples += batch.length;
    if (!live) for (const batch of seconds) store.append(batch);
    sync.start();
    await until(() => sync.isConnected);
    if (live) {
      for (const batch of seconds) {
        store.append(batch);
        samples += batch.length;
        sync.kick();
        await until(() => store.backlog() === 0);
      }
    }
    await until(() => store.backlog() === 0);
    const { bytesIn, bytesOut } = broker.socketBytes();
    console.log(
      `agent wire ${label}: ${samples.toLocaleString('en')} samples in ${broker.counts.batches.toLocaleString('en')} ` +
        `messages — payload ${(broker.counts.payloadBytes / samples).toFixed(1)} B/sample, agent → broker ` +
        `${(bytesIn / samples).toFixed(1)} B/sample with MQTT (${((bytesIn - broker.counts.payloadBytes) / broker.counts.batches).toFixed(0)} B ` +
        `a message), broker → agent ${(bytesOut / samples).toFixed(1)} B/sample (acks, PUBACKs)`,
    );
  } finally {
    await sync.stop();
    store.close();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await scenario('live (83 samples a message, one a second)', true);
  await scenario('backlog (up to 2,000 samples a message)', false);
}
