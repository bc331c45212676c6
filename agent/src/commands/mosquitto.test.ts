// The command path through an external broker (Mosquitto, MQTT_URL): the stand-in cloud is an ordinary MQTT client
// that sends a signed command, a sealed login and a replay; the agent's real CloudSync and CommandExecutor run the
// command on a virtual Whatsminer once and report every state. Skips without MQTT_URL.
import { agentTopic, commandUpdateCodec, hashinsight } from '@hashinsight/protocol';
import { serviceUrl, tempDir, waitFor } from '@hashinsight/testkit';
import { generateKeyPair } from '@hashinsight/vault';
import mqtt from 'mqtt';
import pino from 'pino';
import t from 'tap';
import { Inventory } from '../inventory/index.js';
import { AgentStore, CommandJournal, CredentialCache, LedTimers } from '../store/index.js';
import { CloudSync } from '../sync/index.js';
import { minerControl, minerObserver } from './control.js';
import { CommandExecutor } from './executor.js';
import { addToInventory, CloudSigner, LOGIN, startMiners } from './test/rig.js';

const mosquitto = serviceUrl('MQTT_URL');

t.test(
  'a signed command runs once through Mosquitto and every state comes back',
  { skip: mosquitto.skip },
  async (t) => {
    const url = mosquitto.url as string;
    const agentId = `agent-cmd-mosq-${process.pid}`;
    const store = new AgentStore(tempDir(t));
    t.teardown(() => store.close());
    const inventory = new Inventory(store.db);
    const journal = new CommandJournal(store.db);
    const miners = await startMiners(t, 'whatsminer', 1);
    const [minerId] = (await addToInventory(inventory, miners)) as [string];
    // Signing and sealing as the cloud does; the bytes travel through the cloud's own MQTT client below.
    const signer = new CloudSigner(agentId);
    const boxKey = generateKeyPair('x25519');

    const cloud = await mqtt.connectAsync(url, { clientId: `cloud-cmd-${process.pid}` });
    t.teardown(() => cloud.endAsync());
    const updates: hashinsight.v1.CommandUpdate[] = [];
    cloud.on('message', (_topic, payload) => updates.push(commandUpdateCodec.decode(payload)));
    await cloud.subscribeAsync(agentTopic(agentId, 'command-update'), { qos: 1 });

    const sync = new CloudSync(
      store,
      { agentId, mqttUrl: url, agentVersion: '0.0.0-test', hostname: 'box' },
      pino({ level: 'silent' }),
    );
    const executor = new CommandExecutor({
      journal,
      credentials: new CredentialCache(store.db),
      inventory,
      channel: sync,
      identity: {
        agentId,
        commandKeys: [{ keyId: signer.key.keyId, publicKey: signer.key.publicKey }],
        boxKey,
      },
      control: minerControl({ timeoutMs: 3000 }),
      observer: minerObserver({ timeoutMs: 3000 }),
      ledTimers: new LedTimers(store.db),
      effectPollMs: 50,
      logger: pino({ level: 'silent' }),
    });
    executor.start();
    let connected = 0;
    sync.onConnected(() => connected++);
    sync.start();
    t.teardown(async () => {
      await executor.stop();
      await sync.stop();
      // Leave no retained presence behind on the shared broker.
      await cloud.publishAsync(agentTopic(agentId, 'state'), Buffer.alloc(0), { retain: true, qos: 1 });
    });
    await waitFor('the agent connected', () => (connected > 0 ? true : undefined));

    await cloud.publishAsync(agentTopic(agentId, 'credential'), Buffer.from(signer.seal(boxKey, LOGIN)), {
      qos: 1,
    });
    await waitFor('login cached', () => new CredentialCache(store.db).forMiner(minerId, 1));
    const bytes = Buffer.from(signer.sign({ minerIds: [minerId] }));
    const commandId = hashinsight.v1.Command.decode(bytes).commandId;
    await cloud.publishAsync(agentTopic(agentId, 'command'), bytes, { qos: 1 });
    const states = () => updates.filter((u) => u.commandId === commandId).map((u) => u.state);
    const { COMMAND_STATE_RECEIVED, COMMAND_STATE_RUNNING, COMMAND_STATE_SUCCEEDED } =
      hashinsight.v1.CommandState;
    await waitFor('succeeded', () => (states().includes(COMMAND_STATE_SUCCEEDED) ? true : undefined), {
      timeoutMs: 15_000,
    });
    t.same(states(), [COMMAND_STATE_RECEIVED, COMMAND_STATE_RUNNING, COMMAND_STATE_SUCCEEDED]);
    t.equal(miners[0]!.state().reboots, 1);

    await cloud.publishAsync(agentTopic(agentId, 'command'), bytes, { qos: 1 });
    await waitFor('the replay refused', () =>
      journal.refusals().some((r) => r.code === 'COMMAND_REPLAYED') ? true : undefined,
    );
    await waitFor('booted', () => (miners[0]!.state().rebooting ? undefined : true));
    t.equal(miners[0]!.state().reboots, 1, 'rebooted once');
  },
);
