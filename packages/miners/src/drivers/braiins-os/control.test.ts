import t from 'tap';
import { control } from '../../control.js';
import { MinerError } from '../../errors.js';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import { recordedApi } from '../../test/recorded-api.js';
import { braiinsOs } from './index.js';
import { BOS_REST } from './rest.js';

const documented = { pause: 'braiins/pause.bosplus-docs.json', resume: 'braiins/resume.bosplus-docs.json' };

t.test('sleep is `pause` (Code 204), waking is `resume` (Code 205)', { skip: corpusMissing }, async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', documented);
  await control(braiinsOs, clients, { kind: 'sleep', asleep: true });
  await control(braiinsOs, clients, { kind: 'sleep', asleep: false });
  t.same(sent, ['pause', 'resume']);
});

t.test('a reply with another Code does not confirm it', { skip: corpusMissing }, async (t) => {
  // A firmware answering `pause` with the reply of `resume` did not pause.
  const { clients } = recordedClients('10.0.0.1', { pause: documented.resume, resume: documented.pause });
  await t.rejects(control(braiinsOs, clients, { kind: 'sleep', asleep: true }), {
    code: 'MINER_COMMAND_FAILED',
    message: /'pause' was not confirmed: Code 205/,
  });
  await t.rejects(control(braiinsOs, clients, { kind: 'sleep', asleep: false }), {
    code: 'MINER_COMMAND_FAILED',
    message: /'resume' was not confirmed: Code 204/,
  });
});

t.test('a BOSminer without pause (read-only API) refuses it: a failed command', async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', {});
  await t.rejects(control(braiinsOs, clients, { kind: 'sleep', asleep: true }), {
    code: 'MINER_COMMAND_FAILED',
  });
  t.same(sent, ['pause']);
});

t.test('a lost connection is not a refusal', async (t) => {
  const clients = {
    ip: '10.0.0.1',
    cgminer: () => Promise.reject(new MinerError('MINER_CONNECTION_RESET', 'reset')),
  };
  await t.rejects(control(braiinsOs, clients, { kind: 'sleep', asleep: true }), {
    code: 'MINER_CONNECTION_RESET',
  });
});

t.test('power mode (BOS has a power target, no modes): refused before any request', async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', documented);
  await t.rejects(control(braiinsOs, clients, { kind: 'power-mode', mode: 'low' }), {
    code: 'MINER_UNSUPPORTED',
  });
  t.same(sent, []);
});

const TOKEN = { status: 200, json: { token: 'bos-token-1', timeout_s: 3600 } };
const POOL = { url: 'stratum+tcp://pool.example:3333', user: 'site.w1', password: 'x' };

t.test('REST: set-pools is one PUT pools/batch with one group of the pools, in order', async (t) => {
  const { clients, seen } = await recordedApi(t, {
    login: BOS_REST,
    loginReply: TOKEN,
    routes: { 'PUT /api/v1/pools/batch': 'braiins/rest-v1/pools.json' },
  });
  const second = { url: 'stratum+tcp://backup.example:443', user: 'site.w1b', password: 'y' };
  await control(braiinsOs, clients, { kind: 'set-pools', pools: [POOL, second] });
  t.strictSame(seen, [
    {
      method: 'PUT',
      path: '/api/v1/pools/batch',
      body: [
        {
          name: 'hashinsight',
          pools: [POOL, second],
          load_balance_strategy: { quota: { value: 1 } },
        },
      ],
    },
  ]);
});

t.test(
  'REST: reboot, restart, power target and locate are PUTs under /api/v1',
  { skip: corpusMissing },
  async (t) => {
    const { clients, seen } = await recordedApi(t, {
      login: BOS_REST,
      loginReply: TOKEN,
      routes: {
        'PUT /api/v1/actions/reboot': { status: 200, json: null },
        'PUT /api/v1/actions/restart': { status: 200, json: null },
        'PUT /api/v1/performance/power-target': 'braiins/rest-v1/configuration_miner.json',
        'PUT /api/v1/actions/locate': 'braiins/rest-v1/actions_locate.json',
      },
    });
    await control(braiinsOs, clients, { kind: 'reboot' });
    await control(braiinsOs, clients, { kind: 'restart-mining' });
    await control(braiinsOs, clients, { kind: 'power-limit', watts: 3031 });
    await control(braiinsOs, clients, { kind: 'led', on: false });
    t.strictSame(seen, [
      { method: 'PUT', path: '/api/v1/actions/reboot' },
      { method: 'PUT', path: '/api/v1/actions/restart' },
      { method: 'PUT', path: '/api/v1/performance/power-target', body: { watt: 3031 } },
      { method: 'PUT', path: '/api/v1/actions/locate', body: false },
    ]);
    // The recorded locate state is `false`: an answer of false to "on" did not turn it on.
    await t.rejects(control(braiinsOs, clients, { kind: 'led', on: true }), {
      code: 'MINER_COMMAND_FAILED',
      message: /locate answered false to true/,
    });
  },
);

t.test('REST: a BOS without the REST API (404) cannot do it: MINER_UNSUPPORTED', async (t) => {
  const { clients } = await recordedApi(t, { login: BOS_REST, loginReply: TOKEN, routes: {} });
  await t.rejects(control(braiinsOs, clients, { kind: 'reboot' }), {
    code: 'MINER_UNSUPPORTED',
    message: /HTTP 404.*< 25\.07/,
  });
});

t.test('REST: a refused login is MINER_AUTH_FAILED and no pool password leaks', async (t) => {
  const { clients, seen } = await recordedApi(t, {
    login: BOS_REST,
    loginReply: TOKEN,
    routes: { 'PUT /api/v1/pools/batch': { status: 200, json: null } },
    clientPassword: 'not-the-configured-one',
  });
  const secret = { ...POOL, password: 'p00lsecret' };
  const error = await control(braiinsOs, clients, { kind: 'set-pools', pools: [secret] }).catch(
    (e: unknown) => e,
  );
  t.match(error, { code: 'MINER_AUTH_FAILED' });
  t.notMatch(String((error as Error).message), /p00lsecret/);
  t.same(seen, [], 'nothing reached the API');
});
