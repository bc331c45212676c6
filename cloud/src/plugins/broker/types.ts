export type MessageHandler = (topic: string, payload: Uint8Array) => void | Promise<void>;

/**
 * What features need from MQTT, over the embedded aedes broker (embedded.ts) or an external one such as
 * Mosquitto (external.ts). Topics are the same either way; the agent id always comes from the topic.
 */
export interface Broker {
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1; retain: boolean }): Promise<void>;
  /** Calls `handler` for every message matching `filter`; resolves to a function that unsubscribes. */
  subscribe(filter: string, handler: MessageHandler): Promise<() => Promise<void>>;
  /** Gives a newly enrolled agent access with `password` (the embedded broker reads the database instead). */
  provisionAgent(agentId: string, password: string): Promise<void>;
  /** Takes the agent's access away and cuts its live session now. */
  revokeAgent(agentId: string): Promise<void>;
  /** False once the broker is closing (or, for an external broker, while it is unreachable). */
  isRunning(): boolean;
}

/** The embedded broker's check of a CONNECT's credentials (features/agents verifyAgentCredentials). */
export type VerifyAgent = (agentId: string, password: string) => Promise<boolean>;
