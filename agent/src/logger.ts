import { scrubSecrets } from '@hashinsight/vault';
import pino, { type Logger } from 'pino';

/** Paths that may carry secrets anywhere in the agent's log objects. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'mqttPassword',
  '*.mqttPassword',
  'privateKey',
  '*.privateKey',
];

/** pino's error serializer with the message and stack scrubbed: a miner's or library's text may quote a login. */
function scrubbedError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (serialized !== null && typeof serialized === 'object') {
    if (typeof serialized.message === 'string') serialized.message = scrubSecrets(serialized.message);
    if (typeof serialized.stack === 'string') serialized.stack = scrubSecrets(serialized.stack);
  }
  return serialized;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'agent',
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: scrubbedError, error: scrubbedError },
      hooks: {
        // Messages are free text too.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)) as never);
        },
      },
    },
    destination,
  );
}
