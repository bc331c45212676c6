import { scrubSecrets } from '@hashinsight/vault';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config/index.js';

/** Every path that may carry a secret. Request logs carry no headers or bodies, but a stray object might. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'authorization',
  '*.authorization',
  'cookie',
  'password',
  '*.password',
  '*.*.password',
  'passwordHash',
  '*.passwordHash',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'jwtSecret',
  '*.jwtSecret',
  'config.jwtSecret',
  'bootstrapPassword',
  '*.bootstrapPassword',
  'config.bootstrapPassword',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'refreshToken',
  '*.refreshToken',
  'apiKey',
  '*.apiKey',
  'req.headers["x-api-key"]',
  // Service URLs may carry a password (postgres://user:pass@…, mqtt://cloud:pass@…).
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
  'mqttUrl',
  '*.mqttUrl',
  // The credential vault (issue #6): logins, pool passwords, keys.
  'login',
  '*.login',
  'pools[*].password',
  '*.pools[*].password',
  '*.*.pools[*].password',
  'privateKey',
  '*.privateKey',
  'private_key',
  '*.private_key',
  'masterKey',
  '*.masterKey',
  'config.masterKey',
  'secret',
  '*.secret',
];

const CENSOR = '[redacted]';

/** pino's error serializer, with the message and stack scrubbed. */
function scrubbedError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (serialized === null || typeof serialized !== 'object') return serialized;
  for (const field of ['message', 'stack'] as const) {
    const value = serialized[field];
    if (typeof value === 'string') serialized[field] = scrubSecrets(value);
  }
  return serialized;
}

/** The cloud's pino logger; `destination` defaults to stdout (tests pass a stream to capture lines). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    name: 'cloud',
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: { err: scrubbedError, error: scrubbedError },
    hooks: {
      // Messages are free text too: a URL or a miner's error reply quoted in one is scrubbed like an error.
      logMethod(this: Logger, args: unknown[], method: (...args: unknown[]) => void) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)),
        );
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
