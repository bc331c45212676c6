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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ name: 'agent', level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}
