// The token APIs the braiins and vnish personalities serve on their web port carry the fields of the real
// firmware's replies, with the same JSON types: the recorded corpus (read in place) is the reference. Reached
// with a plain HTTP client, logging in the way the firmware wants, so the login replies are checked as well.
import t from 'tap';
import { corpusJson, corpusMissing, shapeGaps, started } from '../test/support.js';

const LOGIN = { username: 'root', password: 'root' };

interface Check {
  method?: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  corpus: string;
  /** Fields left out on purpose (say why where it is used). */
  ignore?: string[];
}

async function call(
  base: string,
  token: string | undefined,
  header: (token: string) => string,
  check: Check,
) {
  const response = await fetch(`${base}${check.path}`, {
    method: check.method ?? 'GET',
    headers: {
      ...(token === undefined ? {} : { authorization: header(token) }),
      ...(check.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(check.body === undefined ? {} : { body: JSON.stringify(check.body) }),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

const APIS = [
  {
    personality: 'braiins' as const,
    login: { path: '/api/v1/auth/login', body: LOGIN },
    header: (token: string) => token,
    checks: [
      { path: '/api/v1/version', corpus: 'braiins/rest-v1/version.json' },
      { path: '/api/v1/miner/details', corpus: 'braiins/rest-v1/miner_details.json' },
      { path: '/api/v1/miner/stats', corpus: 'braiins/rest-v1/miner_stats.json' },
      // On the board-failure miner below, so there is an error to list.
      { path: '/api/v1/miner/errors', corpus: 'braiins/rest-v1/miner_errors.json' },
      { path: '/api/v1/miner/hw/hashboards', corpus: 'braiins/rest-v1/miner_hw_hashboards.json' },
      { path: '/api/v1/cooling/state', corpus: 'braiins/rest-v1/cooling_state.json' },
      { path: '/api/v1/pools', corpus: 'braiins/rest-v1/pools.json' },
      { path: '/api/v1/performance/tuner-state', corpus: 'braiins/rest-v1/performance_tuner_state.json' },
      { path: '/api/v1/configuration/miner', corpus: 'braiins/rest-v1/configuration_miner.json' },
      { path: '/api/v1/network', corpus: 'braiins/rest-v1/network.json' },
      { path: '/api/v1/actions/locate', corpus: 'braiins/rest-v1/actions_locate.json' },
    ] as Check[],
  },
  {
    personality: 'vnish' as const,
    login: { path: '/api/v1/unlock', body: { pw: 'root' }, corpus: 'vnish/web/unlock.json' },
    header: (token: string) => `Bearer ${token}`,
    checks: [
      { path: '/api/v1/info', corpus: 'vnish/web/info.json' },
      { path: '/api/v1/summary', corpus: 'vnish/web/summary.json' },
      { path: '/api/v1/perf-summary', corpus: 'vnish/web/perf-summary.json' },
      // Only the `disabled` preset carries manual chip settings (tune_settings); the simulator lists the watt presets.
      {
        path: '/api/v1/autotune/presets',
        corpus: 'vnish/web/autotune-presets.json',
        ignore: ['tune_settings'],
      },
      // misc holds ~20 tuning switches nothing reads; ui.consts the UI's slider bounds.
      {
        path: '/api/v1/settings',
        corpus: 'vnish/web/settings.json',
        ignore: ['misc', 'consts', 'dark_side_pane', 'disable_animation'],
      },
      {
        method: 'POST',
        path: '/api/v1/find-miner',
        body: { on: true },
        corpus: 'vnish/privileged/find-miner.json',
      },
      { method: 'POST', path: '/api/v1/mining/stop', corpus: 'vnish/privileged/mining/stop.json' },
      {
        method: 'POST',
        path: '/api/v1/settings',
        body: { miner: { overclock: { preset: '2980' } } },
        corpus: 'vnish/privileged/settings.json',
      },
    ] as Check[],
  },
];

for (const api of APIS) {
  t.test(
    `${api.personality}: web API replies have the recorded shapes`,
    { skip: corpusMissing },
    async (t) => {
      const miner = await started(t, { personality: api.personality, httpPort: 0, credentials: LOGIN });
      await miner.setFault('board-failure');
      const base = `http://${miner.ip}:${miner.httpPort}`;
      const refused = await call(base, undefined, api.header, {
        method: 'POST',
        path: api.login.path,
        body: { ...api.login.body, password: 'x', pw: 'x' },
        corpus: '',
      });
      t.equal(refused.status, 401, 'a wrong password is refused with 401');
      const login = await call(base, undefined, api.header, {
        method: 'POST',
        path: api.login.path,
        body: api.login.body,
        corpus: '',
      });
      t.equal(login.status, 200);
      const loginCorpus = 'corpus' in api.login ? api.login.corpus : undefined;
      if (loginCorpus !== undefined)
        t.same(shapeGaps(corpusJson(loginCorpus), login.json, new Set()), [], 'login');
      const token = (login.json as { token: string }).token;
      t.equal(
        (await call(base, undefined, api.header, { path: api.checks[0]?.path ?? '', corpus: '' })).status,
        401,
        'no token: 401',
      );
      for (const check of api.checks) {
        const reply = await call(base, token, api.header, check);
        t.equal(reply.status, 200, `${check.method ?? 'GET'} ${check.path}`);
        const real = JSON.parse(JSON.stringify(corpusJson(check.corpus))) as unknown;
        t.same(shapeGaps(real, reply.json, new Set(check.ignore)), [], check.corpus);
      }
    },
  );
}
