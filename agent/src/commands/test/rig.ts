// Test rig for the command path on real parts: virtual miners on their own loopback addresses, a real store and
// inventory, a real MQTT broker, and a stand-in for the cloud that signs commands, seals credentials and collects
// the agent's updates from the broker.
import { randomBytes } from 'node:crypto';
import { connectClients, identify } from '@hashinsight/miners';
import { agentTopic, commandUpdateCodec, hashinsight } from '@hashinsight/protocol';
import { type PersonalityName, VirtualMiner } from '@hashinsight/simulator';
import { freePort, loopbackAllocator, type TestBroker } from '@hashinsight/testkit';
import { generateKeyPair, type KeyPair, sealCredential, signCommand } from '@hashinsight/vault';
import type { Inventory } from '../../inventory/index.js';

type CommandFields = Parameters<typeof signCommand>[0];

/** The simulated miners' login: a canary, so tests can prove it never shows up in logs or on the wire. */
export const LOGIN = { username: 'root', password: 'canary-Miner-Pw-7Q' };

let counter = 0;
/** A fresh sortable-looking command id. */
export const commandId = () =>
  `01JCMD${Date.now().toString(36).toUpperCase()}${(counter++).toString().padStart(6, '0')}`;

export async function startMiners(
  t: { teardown(fn: () => unknown): void },
  personality: PersonalityName,
  count: number,
  webPort?: number,
  rebootMs = 200,
): Promise<VirtualMiner[]> {
  const miners: VirtualMiner[] = [];
  for (const ip of loopbackAllocator.take(count)) {
    const miner = new VirtualMiner({
      ip,
      port: 4028,
      personality,
      credentials: LOGIN,
      rebootMs,
      ...(webPort === undefined ? {} : { httpPort: webPort }),
    });
    await miner.start();
    t.teardown(() => miner.close());
    miners.push(miner);
  }
  return miners;
}

/** Identifies and reads each miner through the real transports and puts it in the inventory; returns their ids. */
export async function addToInventory(
  inventory: Inventory,
  miners: VirtualMiner[],
  webPort?: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (const miner of miners) {
    const clients = connectClients(miner.ip, {
      port: 4028,
      ...(webPort === undefined ? {} : { web: { port: webPort, credentials: LOGIN } }),
    });
    const { driver } = await identify(clients);
    const reading = await driver.read(clients);
    ids.push(inventory.upsertFromReading(reading, driver.id, 4028, Date.now()).miner.minerId);
  }
  return ids;
}

export { freePort };

/** Signs commands and seals credentials for one agent, as the cloud does, with a key of its own. */
export class CloudSigner {
  constructor(
    readonly agentId: string,
    readonly key: KeyPair = generateKeyPair('ed25519'),
  ) {}

  /** A signed command for this agent, valid for a minute unless told otherwise. */
  sign(
    fields: Partial<CommandFields> & Pick<CommandFields, 'minerIds'>,
    key: KeyPair = this.key,
  ): Uint8Array {
    return signCommand(
      {
        commandId: commandId(),
        agentId: this.agentId,
        nonce: randomBytes(16),
        issuedAtMs: Date.now(),
        expiresAtMs: Date.now() + 60_000,
        reboot: {},
        ...fields,
      },
      key,
    );
  }

  seal(
    box: KeyPair,
    login: { username: string; password: string },
    header: Partial<{
      credentialId: string;
      version: number;
      minerIds: string[];
      scope: number;
      agentId: string;
    }> = {},
  ): Uint8Array {
    return sealCredential(
      {
        credentialId: header.credentialId ?? `cred${counter++}`,
        version: header.version ?? 1,
        scope: header.scope ?? hashinsight.v1.CredentialScope.CREDENTIAL_SCOPE_MINER_WEB,
        minerIds: header.minerIds ?? [],
        agentId: header.agentId ?? this.agentId,
      },
      login,
      { keyId: box.keyId, publicKey: box.publicKey },
      this.key,
    );
  }
}

/** The cloud's side of the command topics on a test broker: signs, seals, publishes and collects updates. */
export class StandInCloud extends CloudSigner {
  readonly updates: hashinsight.v1.CommandUpdate[] = [];

  constructor(
    private readonly broker: TestBroker,
    agentId: string,
  ) {
    super(agentId);
    this.listen();
  }

  /** Subscribes again (after the broker was replaced by a new one on the same port). */
  listen(broker: TestBroker = this.broker): void {
    broker.aedes.subscribe(
      agentTopic(this.agentId, 'command-update'),
      (packet, done) => {
        this.updates.push(commandUpdateCodec.decode(packet.payload as Buffer));
        done();
      },
      () => {},
    );
  }

  publish(
    kind: 'command' | 'credential',
    payload: Uint8Array,
    broker: TestBroker = this.broker,
  ): Promise<void> {
    return new Promise((resolve) =>
      broker.aedes.publish(
        {
          cmd: 'publish',
          topic: agentTopic(this.agentId, kind),
          payload: Buffer.from(payload),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => resolve(),
      ),
    );
  }

  /** The states reported for one command and miner, in order. */
  statesOf(commandIdValue: string, minerId: string): string[] {
    return this.updates
      .filter((u) => u.commandId === commandIdValue && u.minerId === minerId)
      .map((u) => hashinsight.v1.CommandState[u.state].replace('COMMAND_STATE_', '').toLowerCase());
  }

  last(commandIdValue: string, minerId: string): hashinsight.v1.CommandUpdate | undefined {
    return this.updates.filter((u) => u.commandId === commandIdValue && u.minerId === minerId).at(-1);
  }
}
