// A minimal agent for the crash tests: store, inventory, journal, the real CloudSync and CommandExecutor with real
// miner control, in its own process so the test can kill -9 it. Test hooks (env): PAUSE_BEFORE_CONTROL_MS delays
// each miner call after printing "CONTROL <minerId>"; HANG_AFTER_CONTROL=1 never returns from a miner call that
// went through (as if the process froze right after the miner acted).
import { importPrivateKey } from '@hashinsight/vault';
import pino from 'pino';
import { Inventory } from '../../inventory/index.js';
import { AgentStore, CommandJournal, CredentialCache, LedTimers } from '../../store/index.js';
import { CloudSync } from '../../sync/index.js';
import { minerControl, minerObserver } from '../control.js';
import { CommandExecutor } from '../executor.js';

const env = process.env;
const identity = JSON.parse(env.CHILD_IDENTITY ?? '{}') as {
  agentId: string;
  cloudKey: { keyId: string; publicKey: string };
  boxPem: string;
};
const store = new AgentStore(env.CHILD_DATA_DIR ?? '');
const sync = new CloudSync(
  store,
  {
    agentId: identity.agentId,
    mqttUrl: env.CHILD_BROKER_URL ?? '',
    agentVersion: '0.0.0-test',
    hostname: 'crash',
  },
  pino({ level: 'silent' }),
);
const real = minerControl({ timeoutMs: 3000 });
const pauseMs = Number(env.PAUSE_BEFORE_CONTROL_MS ?? 0);
const executor = new CommandExecutor({
  journal: new CommandJournal(store.db),
  credentials: new CredentialCache(store.db),
  inventory: new Inventory(store.db),
  channel: sync,
  identity: {
    agentId: identity.agentId,
    commandKeys: [identity.cloudKey],
    boxKey: importPrivateKey('x25519', identity.boxPem),
  },
  control: async (target, operation, login) => {
    process.stdout.write(`CONTROL ${target.minerId}\n`);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await real(target, operation, login);
    if (env.HANG_AFTER_CONTROL === '1') await new Promise(() => undefined);
  },
  observer: minerObserver({ timeoutMs: 3000 }),
  ledTimers: new LedTimers(store.db),
  effectPollMs: 50,
  effectTimeoutMs: Number(env.EFFECT_TIMEOUT_MS ?? 10_000),
  logger: pino({ level: 'silent' }),
});
executor.start();
sync.onConnected(() => process.stdout.write('CONNECTED\n'));
sync.start();
