import { scrubSecrets } from '@hashinsight/vault';
import t from 'tap';
import { createLogger } from './logger.js';

// Secrets never reach a log line: by key (redact paths) and inside free text (messages, error texts, URLs).

const CANARY = 'HI-CANARY-4b1d2e';

function capture() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return { logger, text: () => lines.join('') };
}

t.test('redact paths cover every secret-bearing key the vault and the commands use', async (t) => {
  const { logger, text } = capture();
  logger.info({ password: CANARY }, 'a');
  logger.info({ login: { username: 'root', password: CANARY } }, 'b');
  logger.info({ body: { login: { password: CANARY } } }, 'c');
  logger.info({ params: { pools: [{ url: 'stratum+tcp://pool:3333', user: 'w', password: CANARY }] } }, 'd');
  logger.info({ privateKey: CANARY, signing: { private_key: CANARY } }, 'e');
  logger.info({ config: { masterKey: CANARY } }, 'f');
  logger.info({ req: { headers: { authorization: `Digest ${CANARY}`, cookie: CANARY } } }, 'g');
  logger.info({ request: { headers: { authorization: `Basic ${CANARY}` } } }, 'h');
  t.notMatch(text(), CANARY);
  t.match(text(), '[redacted]');
  t.match(text(), 'stratum+tcp://pool:3333', 'what is not secret stays readable');
});

t.test('free text: URLs with user info, Authorization values and secret-named pairs', async (t) => {
  const cases = [
    `connect mqtt://cloud:${CANARY}@127.0.0.1:1883 failed`,
    `postgres://user:${CANARY}@db/hashinsight`,
    `Authorization: Digest username="root", realm="antMiner", nonce="abc", uri="/cgi-bin/passwd.cgi", response="${CANARY}"`,
    `authorization: Basic ${Buffer.from(`root:${CANARY}`).toString('base64')}`,
    `Bearer ${CANARY}.part.two`,
    `GET /cgi-bin/passwd.cgi?new_pwd=x&password=${CANARY}`,
    `{"authorization":"Digest ${CANARY}"}`,
  ];
  for (const text of cases) {
    const scrubbed = scrubSecrets(text);
    t.notMatch(scrubbed, CANARY, text.slice(0, 40));
    t.notMatch(scrubbed, Buffer.from(`root:${CANARY}`).toString('base64'));
  }
  t.equal(
    scrubSecrets('miner 10.0.0.5 unreachable: ECONNREFUSED'),
    'miner 10.0.0.5 unreachable: ECONNREFUSED',
  );
  t.equal(scrubSecrets('http://10.0.0.5/cgi-bin/summary.cgi'), 'http://10.0.0.5/cgi-bin/summary.cgi');
});

t.test('logged errors and messages are scrubbed', async (t) => {
  const { logger, text } = capture();
  const error = new Error(`request to http://root:${CANARY}@10.0.0.5/cgi-bin failed`);
  logger.error({ err: error }, 'poll failed');
  logger.warn({ error: new Error(`Authorization: Basic ${CANARY}`) }, 'x');
  logger.warn(`broker mqtt://cloud:${CANARY}@host:1883 refused`);
  logger.child({ feature: 'vault' }).error({ err: new Error(`password=${CANARY}`) }, 'child');
  t.notMatch(text(), CANARY);
  t.match(text(), 'http://root:[redacted]@10.0.0.5/cgi-bin', 'the rest of the text stays');
});
