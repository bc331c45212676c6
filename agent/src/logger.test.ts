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

t.test(
  'free text is scrubbed: messages and errors quoting a login, URL user info or an Authorization value',
  async (t) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.warn('miner said: update_pwd failed for password=canary-8');
    logger.error(
      { err: new Error('GET http://root:canary-9@10.0.0.5/cgi-bin/passwd.cgi refused') },
      'call failed',
    );
    logger.error(
      { err: new Error('Authorization: Digest username="root", response="canary-10"') },
      'call failed',
    );
    const output = lines.join('');
    for (let i = 8; i <= 10; i++) t.notMatch(output, `canary-${i}`, `canary-${i} is not in the log`);
    t.match(output, 'update_pwd failed', 'the rest of the message stays');
    t.match(output, '10.0.0.5/cgi-bin/passwd.cgi');
  },
);
