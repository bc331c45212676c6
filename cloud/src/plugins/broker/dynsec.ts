import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { agentGrants } from './acl.js';

// Mosquitto's dynamic security plugin, driven over its control topic. Each agent gets a client whose user name
// and client id are the agent id, holding one role of its own that lists exactly its topics (Mosquitto 2.0's
// dynsec does not substitute %c/%u in ACLs, so a shared role cannot name "the agent's own subtree").
// deleteClient makes Mosquitto disconnect a live session at once ("disconnected by administrative action").

export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`;

export const agentRoleName = (agentId: string) => `hashinsight-agent-${agentId}`;

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

interface DynsecResponse {
  command?: string;
  error?: string;
  correlationData?: string;
}

export class DynsecError extends Error {
  override readonly name = 'DynsecError';
  readonly code = 'BROKER_DYNSEC_FAILED';
}

/** The commands that give `agentId` its own subtree and a login with `password`. */
export function provisionCommands(agentId: string, password: string): DynsecCommand[] {
  const { publish, subscribe } = agentGrants(agentId);
  const acls = [
    ...publish.map((topic) => ({ acltype: 'publishClientSend', topic, allow: true })),
    // Literal: a filter with + or # is a different string, so it matches no grant and is refused.
    ...subscribe.map((topic) => ({ acltype: 'subscribeLiteral', topic, allow: true })),
    ...subscribe.map((topic) => ({ acltype: 'publishClientReceive', topic, allow: true })),
    ...subscribe.map((topic) => ({ acltype: 'unsubscribeLiteral', topic, allow: true })),
  ];
  return [
    { command: 'createRole', rolename: agentRoleName(agentId), acls },
    {
      command: 'createClient',
      username: agentId,
      password,
      clientid: agentId,
      roles: [{ rolename: agentRoleName(agentId) }],
    },
  ];
}

/** The commands that take `agentId`'s login away (which kicks its session) and drop its role. */
export function revokeCommands(agentId: string): DynsecCommand[] {
  return [
    { command: 'deleteClient', username: agentId },
    { command: 'deleteRole', rolename: agentRoleName(agentId) },
  ];
}

/**
 * Sends dynsec commands and resolves when the broker answered every one; rejects with the first error that
 * `tolerate` does not accept (e.g. "not found" when revoking twice), or on timeout.
 */
export class DynsecClient {
  private readonly waiting = new Map<string, (response: DynsecResponse) => void>();

  constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
  ) {}

  /** Feed every message of DYNSEC_RESPONSE_TOPIC here. */
  onResponse(payload: Buffer): void {
    let parsed: { responses?: DynsecResponse[] };
    try {
      parsed = JSON.parse(payload.toString('utf8')) as { responses?: DynsecResponse[] };
    } catch {
      return;
    }
    for (const response of parsed.responses ?? []) {
      if (typeof response.correlationData !== 'string') continue;
      this.waiting.get(response.correlationData)?.(response);
    }
  }

  async run(commands: DynsecCommand[], tolerate: (error: string) => boolean = () => false): Promise<void> {
    const tagged = commands.map((command) => ({ ...command, correlationData: randomUUID() }));
    const answers = tagged.map(
      (command) =>
        new Promise<DynsecResponse>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.waiting.delete(command.correlationData);
            reject(new DynsecError(`dynsec ${command.command}: no answer within ${this.timeoutMs} ms`));
          }, this.timeoutMs);
          this.waiting.set(command.correlationData, (response) => {
            clearTimeout(timer);
            this.waiting.delete(command.correlationData);
            resolve(response);
          });
        }),
    );
    // Settle every waiter whatever happens, so no timer outlives a failed publish.
    const settled = Promise.allSettled(answers);
    try {
      await this.client.publishAsync(DYNSEC_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 });
    } catch (error) {
      for (const command of tagged) this.waiting.get(command.correlationData)?.({ error: 'not sent' });
      throw new DynsecError('dynsec commands could not be sent', { cause: error });
    }
    for (const [index, outcome] of (await settled).entries()) {
      if (outcome.status === 'rejected') throw outcome.reason;
      const error = outcome.value.error;
      if (error !== undefined && !tolerate(error)) {
        throw new DynsecError(`dynsec ${tagged[index]?.command}: ${error}`);
      }
    }
  }
}
