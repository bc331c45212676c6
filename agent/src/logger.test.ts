import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from './logger.js';

t.test('secret-bearing keys are redacted wherever the agent logs them', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('info', sink);
  logger.info(
    {
      password: 'canary-1',
      token: 'canary-2',
      mqttPassword: 'canary-3',
      config: { mqttPassword: 'canary-4', broker: { password: 'canary-5' } },
      keys: { privateKey: 'canary-6' },
      request: { authorization: 'canary-7' },
      minerId: 'kept',
    },
    'settings',
  );
  const output = lines.join('');
  for (let i = 1; i <= 7; i++) t.notMatch(output, `canary-${i}`, `canary-${i} is not in the log`);
  t.match(output, '"minerId":"kept"', 'other fields are logged as they are');
  t.match(output, '[redacted]');
});
