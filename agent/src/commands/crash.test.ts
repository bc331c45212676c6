// kill -9 of the agent between journaling a reboot and reporting its result: the reboot never runs twice, and its
// outcome still reaches the cloud. The agent runs in a child process (test/child.ts) on a real store, a real aedes
// broker and a virtual Whatsminer on its own loopback address.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { hashinsight } from '@hashinsight/protocol';
import { startTestBroker, type TestBroker, tempDir, waitFor } from '@hashinsight/testkit';
import { exportPrivateKey, generateKeyPair } from '@hashinsight/vault';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { Inventory } from '../inventory/index.js';
import { AgentStore, CredentialCache } from '../store/index.js';
import { addToInventory, LOGIN, StandInCloud, startMiners } from './test/rig.js';

const CHILD = new URL('./test/child.ts', import.meta.url).pathname;

interface Child {
  process: ChildProcess;
  lines: string[];
  exited: Promise<unknown>;
}

function startChild(t: Test, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { process: child, lines, exited };
}

async function kill9(child: Child) {
  child.process.kill('SIGKILL');
  await child.exited;
}

async function world(t: Test, rebootMs = 200) {
  let broker: TestBroker = await startTestBroker();
  const port = broker.port;
  t.teardown(() => broker.close());
  const dataDir = tempDir(t);
  const agentId = `agent-crash-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  const cloud = new StandInCloud(broker, agentId);
  const box = generateKeyPair('x25519');
  const miners = await startMiners(t, 'whatsminer', 1, undefined, rebootMs);
  // The parent prepares the store: the miner in the inventory and the site's login, sealed.
  const store = new AgentStore(dataDir);
  const [minerId] = (await addToInventory(new Inventory(store.db), miners)) as [string];
  new CredentialCache(store.db).put(
    { credentialId: 'site-login', version: 1, scope: 1, minerIds: [] },
    cloud.seal(box, LOGIN, { credentialId: 'site-login' }),
    Date.now(),
  );
  store.close();
  const journal = new Database(`${dataDir}/agent.sqlite`, { readonly: true });
  t.teardown(() => journal.close());
  const env = {
    CHILD_DATA_DIR: dataDir,
    CHILD_BROKER_URL: broker.url,
    CHILD_IDENTITY: JSON.stringify({
      agentId,
      cloudKey: { keyId: cloud.key.keyId, publicKey: cloud.key.publicKey },
      boxPem: exportPrivateKey(box.privateKey),
    }),
  };
  const targetState = (commandId: string) =>
    (
      journal
        .prepare('SELECT state FROM command_target WHERE command_id = ? AND miner_id = ?')
        .get(commandId, minerId) as { state: string } | undefined
    )?.state;
  const replays = (commandId: string) =>
    (
      journal
        .prepare(
          "SELECT count(*) AS n FROM command_refusal WHERE command_id = ? AND code = 'COMMAND_REPLAYED'",
        )
        .get(commandId) as { n: number }
    ).n;
  return {
    cloud,
    replays,
    miner: miners[0]!,
    minerId,
    env,
    targetState,
    broker: () => broker,
    async replaceBroker() {
      broker = await startTestBroker(port);
      cloud.listen(broker);
      return broker;
    },
    async stopBroker() {
      await broker.close();
    },
  };
}

t.test(
  'killed after the miner rebooted but before the result was journaled: failed, never rerun',
  async (t) => {
    const w = await world(t);
    const first = startChild(t, { ...w.env, HANG_AFTER_CONTROL: '1' });
    await waitFor('connected', () => (first.lines.includes('CONNECTED') ? true : undefined));
    const bytes = w.cloud.sign({ minerIds: [w.minerId] });
    const commandId = hashinsight.v1.Command.decode(bytes).commandId;
    await w.cloud.publish('command', bytes);
    await waitFor('the miner rebooting', () => (w.miner.state().reboots === 1 ? true : undefined));
    t.equal(w.targetState(commandId), 'running', 'the journal says running when the agent dies');
    await kill9(first);

    const second = startChild(t, w.env);
    await waitFor(
      'the outcome reported',
      () => (w.cloud.statesOf(commandId, w.minerId).includes('failed') ? true : undefined),
      {
        timeoutMs: 15_000,
      },
    );
    t.match(w.cloud.last(commandId, w.minerId), { errorCode: 'AGENT_RESTARTED' });
    t.same(w.cloud.statesOf(commandId, w.minerId), ['received', 'running', 'failed']);
    // The cloud (or the broker) delivers the command again: it is a replay now.
    await w.cloud.publish('command', bytes);
    await waitFor('booted', () => (w.miner.state().rebooting ? undefined : true));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    t.equal(w.miner.state().reboots, 1, 'rebooted exactly once');
    t.ok(
      second.lines.filter((l) => l.startsWith('CONTROL')).length === 0,
      'the restarted agent called no miner',
    );
  },
);

t.test(
  'killed after the result was journaled but before it was reported: reported later, never rerun',
  async (t) => {
    const w = await world(t);
    const first = startChild(t, { ...w.env, PAUSE_BEFORE_CONTROL_MS: '500' });
    await waitFor('connected', () => (first.lines.includes('CONNECTED') ? true : undefined));
    const bytes = w.cloud.sign({ minerIds: [w.minerId] });
    const commandId = hashinsight.v1.Command.decode(bytes).commandId;
    await w.cloud.publish('command', bytes);
    await waitFor('the miner call starts', () =>
      first.lines.some((l) => l.startsWith('CONTROL')) ? true : undefined,
    );
    // The broker goes away while the agent reboots the miner: the result cannot be reported.
    await w.stopBroker();
    await waitFor('succeeded in the journal', () =>
      w.targetState(commandId) === 'succeeded' ? true : undefined,
    );
    t.equal(w.miner.state().reboots, 1, 'the reboot happened');
    t.notOk(w.cloud.statesOf(commandId, w.minerId).includes('succeeded'), 'not reported before the kill');
    await kill9(first);

    await w.replaceBroker();
    const second = startChild(t, { ...w.env });
    await waitFor(
      'the result reported on the next connection',
      () => (w.cloud.statesOf(commandId, w.minerId).includes('succeeded') ? true : undefined),
      { timeoutMs: 15_000 },
    );
    await w.cloud.publish('command', bytes);
    await waitFor('booted', () => (w.miner.state().rebooting ? undefined : true));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    t.equal(w.miner.state().reboots, 1, 'rebooted exactly once');
    t.equal(
      second.lines.filter((l) => l.startsWith('CONTROL')).length,
      0,
      'the restarted agent called no miner',
    );
  },
);

t.test(
  'killed while watching for the effect: the restarted agent resumes watching and never reboots again',
  async (t) => {
    const w = await world(t, 3000);
    const first = startChild(t, w.env);
    await waitFor('connected', () => (first.lines.includes('CONNECTED') ? true : undefined));
    const bytes = w.cloud.sign({ minerIds: [w.minerId] });
    const commandId = hashinsight.v1.Command.decode(bytes).commandId;
    await w.cloud.publish('command', bytes);
    await waitFor('the miner accepted the reboot', () =>
      w.targetState(commandId) === 'observing' ? true : undefined,
    );
    t.equal(w.miner.state().rebooting, true, 'the miner is down when the agent dies');
    await kill9(first);

    const second = startChild(t, w.env);
    await waitFor(
      'the effect seen by the restarted agent',
      () => (w.cloud.statesOf(commandId, w.minerId).includes('succeeded') ? true : undefined),
      { timeoutMs: 20_000 },
    );
    t.same(w.cloud.statesOf(commandId, w.minerId), ['received', 'running', 'succeeded']);
    t.equal(w.miner.state().reboots, 1, 'rebooted exactly once');
    t.equal(second.lines.filter((l) => l.startsWith('CONTROL')).length, 0, 'the restarted agent only looked');
  },
);
