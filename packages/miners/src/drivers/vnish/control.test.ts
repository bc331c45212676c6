import t from 'tap';
import { control } from '../../control.js';
import { corpusMissing } from '../../test/recorded.js';
import { recordedApi } from '../../test/recorded-api.js';
import { vnish } from './index.js';
import { VNISH_WEB } from './web.js';

// The recorded unlock reply (`{"token":"mock-vnish-token"}`) is the login; calls must carry it as a Bearer token.
const UNLOCK = 'vnish/web/unlock.json';
const SETTINGS_OK = 'vnish/privileged/settings.json';
const POOL = { url: 'stratum+tcp://pool.example:3333', user: 'site.w1', password: 'x' };

t.test('power mode (VNish has presets, no modes): refused before any request', async (t) => {
  const { clients, seen } = await recordedApi(t, { login: VNISH_WEB, loginReply: UNLOCK, routes: {} });
  await t.rejects(control(vnish, clients, { kind: 'power-mode', mode: 'low' }), {
    code: 'MINER_UNSUPPORTED',
  });
  t.same(seen, []);
});

t.test('set-pools: POST settings with the pools (pass, not password)', { skip: corpusMissing }, async (t) => {
  const { clients, seen } = await recordedApi(t, {
    login: VNISH_WEB,
    loginReply: UNLOCK,
    routes: { 'POST /api/v1/settings': SETTINGS_OK },
  });
  await control(vnish, clients, { kind: 'set-pools', pools: [POOL] });
  t.strictSame(seen, [
    {
      method: 'POST',
      path: '/api/v1/settings',
      body: { miner: { pools: [{ url: POOL.url, user: 'site.w1', pass: 'x' }] } },
    },
  ]);
});

t.test('settings that ask for a restart or a reboot get it', async (t) => {
  const { clients, seen } = await recordedApi(t, {
    login: VNISH_WEB,
    loginReply: UNLOCK,
    routes: {
      'POST /api/v1/settings': [
        { status: 200, json: { restart_required: true, reboot_required: false } },
        { status: 200, json: { restart_required: false, reboot_required: true } },
      ],
      'POST /api/v1/mining/restart': { status: 200, json: { success: true } },
      'POST /api/v1/system/reboot': { status: 200, json: { success: true } },
    },
  });
  await control(vnish, clients, { kind: 'set-pools', pools: [POOL] });
  await control(vnish, clients, { kind: 'set-pools', pools: [POOL] });
  t.same(
    seen.map(({ path }) => path),
    ['/api/v1/settings', '/api/v1/mining/restart', '/api/v1/settings', '/api/v1/system/reboot'],
  );
});

t.test(
  'sleep is mining/stop, waking mining/start; success:false is a refusal',
  { skip: corpusMissing },
  async (t) => {
    const { clients, seen } = await recordedApi(t, {
      login: VNISH_WEB,
      loginReply: UNLOCK,
      routes: {
        'POST /api/v1/mining/stop': 'vnish/privileged/mining/stop.json',
        'POST /api/v1/mining/start': { status: 200, json: { success: false } },
      },
    });
    await control(vnish, clients, { kind: 'sleep', asleep: true });
    await t.rejects(control(vnish, clients, { kind: 'sleep', asleep: false }), {
      code: 'MINER_COMMAND_FAILED',
      message: /mining\/start answered success: false/,
    });
    t.same(
      seen.map(({ path }) => path),
      ['/api/v1/mining/stop', '/api/v1/mining/start'],
    );
  },
);

t.test(
  'led: find-miner {on}; a build that toggles gets one more call',
  { skip: corpusMissing },
  async (t) => {
    const { clients, seen } = await recordedApi(t, {
      login: VNISH_WEB,
      loginReply: UNLOCK,
      routes: { 'POST /api/v1/find-miner': 'vnish/privileged/find-miner.json' },
    });
    await control(vnish, clients, { kind: 'led', on: true });
    t.strictSame(seen, [{ method: 'POST', path: '/api/v1/find-miner', body: { on: true } }]);
    // The recorded reply says on: asking for off gets a second call, then a refusal.
    await t.rejects(control(vnish, clients, { kind: 'led', on: false }), {
      code: 'MINER_COMMAND_FAILED',
      message: /did not turn the LED off/,
    });
    t.equal(seen.length, 3);
  },
);

t.test(
  'power-limit: the highest preset at or below it, in the whole overclock section',
  { skip: corpusMissing },
  async (t) => {
    const { clients, seen } = await recordedApi(t, {
      login: VNISH_WEB,
      loginReply: UNLOCK,
      routes: {
        'GET /api/v1/autotune/presets': 'vnish/web/autotune-presets.json',
        'GET /api/v1/settings': 'vnish/web/settings.json',
        'POST /api/v1/settings': SETTINGS_OK,
      },
    });
    await control(vnish, clients, { kind: 'power-limit', watts: 3000 });
    const posted = seen.at(-1)?.body as { miner: { overclock: Record<string, unknown> } };
    t.equal(
      posted.miner.overclock.preset,
      '2980',
      '2980 W is the highest recorded preset at or below 3000 W',
    );
    t.same(
      posted.miner.overclock.globals,
      { volt: 1270, freq: 555 },
      'the rest of the recorded section kept',
    );
    t.same(Object.keys(posted.miner), ['overclock'], 'nothing but the overclock section');
    await t.rejects(control(vnish, clients, { kind: 'power-limit', watts: 2000 }), {
      code: 'MINER_BAD_ARGUMENT',
      message: /no autotune preset at or below 2000 W/,
    });
  },
);

t.test('reboot: POST system/reboot', async (t) => {
  const { clients, seen } = await recordedApi(t, {
    login: VNISH_WEB,
    loginReply: UNLOCK,
    routes: { 'POST /api/v1/system/reboot': { status: 200, json: { success: true } } },
  });
  await control(vnish, clients, { kind: 'reboot' });
  t.same(seen, [{ method: 'POST', path: '/api/v1/system/reboot' }]);
});

t.test('a wrong password: MINER_AUTH_FAILED, nothing reaches the API', async (t) => {
  const { clients, seen } = await recordedApi(t, {
    login: VNISH_WEB,
    loginReply: UNLOCK,
    routes: { 'POST /api/v1/mining/restart': { status: 200, json: {} } },
    clientPassword: 'wrong',
  });
  await t.rejects(control(vnish, clients, { kind: 'restart-mining' }), { code: 'MINER_AUTH_FAILED' });
  t.same(seen, []);
});
