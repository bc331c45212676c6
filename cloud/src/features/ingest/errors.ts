/** A message from an agent id that is not enrolled, or was revoked: refused, nothing stored, no ack. */
export class UnknownAgentError extends Error {
  override readonly name = 'UnknownAgentError';
  readonly code = 'INGEST_UNKNOWN_AGENT';
  constructor(readonly agentId: string) {
    super(`agent ${agentId} is not enrolled or was revoked`);
  }
}
