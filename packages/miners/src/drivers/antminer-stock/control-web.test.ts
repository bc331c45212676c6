// Control over real sockets: the driver, connectClients' Digest web client and a loopback Antminer web server that
// checks the Digest responses itself and records every request body.
import { inspect } from 'node:util';
import t from 'tap';
import { control } from '../../control.js';
import type { PoolSetting } from '../../driver.js';
import { connectClients } from '../../read.js';
import { corpusMissing } from '../../test/recorded.js';
import { corpusFile, type Route, serve, startAntminerWeb } from '../../transports/http/test/antminer-web.js';
import { antminerStock } from './index.js';

const PASSWORD = 'WEB-CANARY-pw-91d0';
const POOL_PASSWORD = 'POOL-CANARY-pw-0b7a';
const pools: PoolSetting[] = [
  { url: 'stratum+tcp://my-test-pool1.com:5588', user: 'my-test-username1', password: POOL_PASSWORD },
];

const answer =
  (body: string): Route =>
  (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };

t.test('set-pools end to end on an X19: conf read, JSON written', { skip: corpusMissing }, async (t) => {
  const web = await startAntminerWeb(t, {
    username: 'root',
    password: PASSWORD,
    routes: {
      '/cgi-bin/get_miner_conf.cgi': serve('antminer-cgi/get_miner_conf.cgi.s19pro.json'),
      '/cgi-bin/set_miner_conf.cgi': serve('antminer-cgi/set_miner_conf.cgi.response.txt'),
    },
  });
  const credentials = { username: 'root', password: PASSWORD };
  await control(antminerStock, connectClients(web.host, { web: { port: web.port, credentials } }), {
    kind: 'set-pools',
    pools,
  });
  t.strictSame(
    web.seen.map(({ method, url, verdict }) => [method, url, verdict]),
    [
      ['GET', '/cgi-bin/get_miner_conf.cgi', 'challenged'],
      ['GET', '/cgi-bin/get_miner_conf.cgi', 'ok'],
      ['POST', '/cgi-bin/set_miner_conf.cgi', 'challenged'],
      ['POST', '/cgi-bin/set_miner_conf.cgi', 'ok'],
    ],
  );
  const written = web.seen[3];
  t.equal(written?.contentType, 'application/json');
  const empty = { url: '', user: '', pass: '' };
  t.strictSame(JSON.parse(written?.body ?? ''), {
    'bitmain-fan-ctrl': false,
    'bitmain-fan-pwm': '100',
    'miner-mode': 0,
    'freq-level': '100',
    pools: [{ url: pools[0]?.url, user: 'my-test-username1', pass: POOL_PASSWORD }, empty, empty],
  });
});

t.test(
  'set-pools on old firmware: the form arrives byte for byte as recorded',
  { skip: corpusMissing },
  async (t) => {
    const web = await startAntminerWeb(t, {
      username: 'root',
      password: PASSWORD,
      routes: {
        '/cgi-bin/get_miner_conf.cgi': serve('antminer-cgi/get_miner_conf.cgi.l3.json'),
        '/cgi-bin/set_miner_conf.cgi': answer('ok'),
      },
    });
    const clients = connectClients(web.host, {
      web: { port: web.port, credentials: { username: 'root', password: PASSWORD } },
    });
    const testPools = [1, 2, 3].map((n) => ({
      url: `stratum+tcp://my-test-pool${n}.com:5588`,
      user: `my-test-username${n}`,
      password: `my-test-password${n}`,
    }));
    await control(antminerStock, clients, { kind: 'set-pools', pools: testPools });
    const written = web.seen.at(-1);
    t.equal(written?.verdict, 'ok');
    t.equal(written?.contentType, 'application/x-www-form-urlencoded');
    t.equal(written?.body, corpusFile('antminer-cgi/set_miner_conf.cgi.request.old.txt').toString('utf8'));
  },
);

t.test('a wrong web password is MINER_AUTH_FAILED and writes nothing', { skip: corpusMissing }, async (t) => {
  let written = false;
  const web = await startAntminerWeb(t, {
    username: 'root',
    password: PASSWORD,
    routes: {
      '/cgi-bin/get_miner_conf.cgi': serve('antminer-cgi/get_miner_conf.cgi.s19pro.json'),
      '/cgi-bin/set_miner_conf.cgi': (request, response, body) => {
        written = true;
        answer('ok')(request, response, body);
      },
    },
  });
  const clients = connectClients(web.host, {
    web: { port: web.port, credentials: { username: 'root', password: `${PASSWORD}-wrong` } },
  });
  const error = await control(antminerStock, clients, { kind: 'set-pools', pools }).catch((e: unknown) => e);
  t.match(error, { name: 'MinerError', code: 'MINER_AUTH_FAILED' });
  const shown = inspect(error, { depth: Number.POSITIVE_INFINITY });
  t.notOk(shown.includes(PASSWORD), 'no web password in the error');
  t.notOk(shown.includes(POOL_PASSWORD), 'no pool password in the error');
  t.notOk(written, 'set_miner_conf.cgi never ran');
  t.strictSame(
    web.seen.map(({ url, verdict }) => [url, verdict]),
    [
      ['/cgi-bin/get_miner_conf.cgi', 'challenged'],
      ['/cgi-bin/get_miner_conf.cgi', 'refused'],
    ],
    'it stopped at the conf read: one refusal, no retry',
  );
});

t.test('reboot: a miner that drops the connection instead of answering has rebooted', async (t) => {
  const web = await startAntminerWeb(t, {
    username: 'root',
    password: PASSWORD,
    routes: { '/cgi-bin/reboot.cgi': (request) => request.socket.destroy() },
  });
  const clients = connectClients(web.host, {
    web: { port: web.port, credentials: { username: 'root', password: PASSWORD } },
  });
  await control(antminerStock, clients, { kind: 'reboot' });
  t.strictSame(
    web.seen.map(({ method, verdict }) => [method, verdict]),
    [
      ['GET', 'challenged'],
      ['GET', 'ok'],
    ],
  );
});
