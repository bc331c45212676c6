import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config/index.js';

/** Every path that may carry a secret. Request logs carry no headers or bodies, but a stray object might. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  '*.password',
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
];

/** The cloud's pino logger; `destination` defaults to stdout (tests pass a stream to capture lines). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    name: 'cloud',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
