// A real agent process for the fault tests (spawned with `node --import tsx`): the agent's own store and sync
// (AgentStore + CloudSync, as the daemon wires them) with a deterministic producer in place of the poller, so a
// checker knows exactly which samples were committed. Sample n of run r has time BASE + r * 1e6 + n.
// stdout, one line each: `C <n> <backlog>` after every committed append, `L up|down` on link changes,
// `S <backlog> <inFlight>` every 20 ms while anything waits, `D` once everything written is acked.
import { AgentStore, CloudSync } from '@hashinsight/agent';
import pino from 'pino';

const env = process.env;
const run = Number(env.W_RUN);
const total = Number(env.W_COUNT);
const perAppend = Number(env.W_PER_APPEND ?? 50);
const everyMs = Number(env.W_EVERY_MS ?? 10);
export const BASE_MS = 1_795_000_000_000;

const store = new AgentStore(env.W_DATA_DIR as string);
const agentId = store.agentId(env.W_AGENT_ID);
store.nextEpoch();
const sync = new CloudSync(
  store,
  {
    agentId,
    mqttUrl: env.W_MQTT_URL as string,
    mqttUsername: env.W_MQTT_USERNAME,
    mqttPassword: env.W_MQTT_PASSWORD,
    agentVersion: 'fault-test',
    hostname: 'fault-test',
    ackTimeoutMs: 2000,
    window: 4,
  },
  pino({ level: 'silent' }),
);
sync.start();

let written = 0;
let link = false;
let done = false;
const timer = setInterval(() => {
  if (written < total) {
    const samples = Array.from({ length: Math.min(perAppend, total - written) }, (_, i) => {
      const n = written + i + 1;
      return {
        minerId: `f${n % 20}`,
        timeMs: BASE_MS + run * 1_000_000 + n,
        status: 1,
        hashrateMhs: 100_000_000 + n,
      };
    });
    store.append(samples);
    written += samples.length;
    console.log(`C ${written} ${store.backlog()}`);
    sync.kick();
  }
}, everyMs);
const watch = setInterval(() => {
  const stats = sync.stats();
  if (stats.connected !== link) {
    link = stats.connected;
    console.log(`L ${link ? 'up' : 'down'}`);
  }
  const backlog = store.backlog();
  if (backlog > 0) console.log(`S ${backlog} ${stats.inFlight}`);
  if (!done && written >= total && backlog === 0) {
    done = true;
    console.log('D');
  }
}, 20);

process.on('SIGTERM', () => {
  clearInterval(timer);
  clearInterval(watch);
  void sync.stop().finally(() => {
    store.close();
    process.exit(0);
  });
});
