import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import t, { type Test } from 'tap';
import { control } from '../../control.js';
import type { ControlOperation, Driver, PoolSetting } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { CORPUS_DIR, corpusMissing, recordedClients, type WebReply } from '../../test/recorded.js';
import type { WebBody } from '../../transports/http/index.js';
import { antminerAsicseer } from '../antminer-asicseer/index.js';
import { antminerHiveon } from '../antminer-hiveon/index.js';
import { antminerStock } from './index.js';

const CONF = '/cgi-bin/get_miner_conf.cgi';
const SET_CONF = '/cgi-bin/set_miner_conf.cgi';
const BLINK = '/cgi-bin/blink.cgi';
const REBOOT = '/cgi-bin/reboot.cgi';

const corpusText = (path: string) => readFileSync(join(CORPUS_DIR, path), 'utf8');

/** The pools the recorded requests were built from (foreman's AntminerChangePoolsITest). */
const testPools: PoolSetting[] = [1, 2, 3].map((n) => ({
  url: `stratum+tcp://my-test-pool${n}.com:5588`,
  user: `my-test-username${n}`,
  password: `my-test-password${n}`,
}));

/**
 * The confs foreman's AntminerPowerModeITest served with the recorded sleep requests (the corpus has the requests
 * but not these confs): an S19, asleep, and an S17 whose frequency is the preset "O".
 */
const poolsConf = [
  { url: 'aaa:700', user: 'aaa.226x94', pass: 'x' },
  { url: 'bbb:6000', user: 'bbb.226x94', pass: 'x' },
  { url: 'ccc:443', user: 'ccc.226x94', pass: 'x' },
];
const apiConf = {
  'api-listen': true,
  'api-network': true,
  'api-groups': 'A:stats:pools:devs:summary:version',
  'api-allow': 'A:0/0,W:*',
};
const s19Conf = `\n\n${JSON.stringify({
  pools: poolsConf,
  ...apiConf,
  'bitmain-fan-ctrl': false,
  'bitmain-fan-pwm': '100',
  'bitmain-use-vil': true,
  'bitmain-freq': '675',
  'bitmain-voltage': '1400',
  'bitmain-ccdelay': '0',
  'bitmain-pwth': '0',
  'bitmain-work-mode': '1',
  'bitmain-freq-level': '100',
})}\n`;
const s17Conf = `\n\n${JSON.stringify({
  pools: poolsConf,
  ...apiConf,
  'bitmain-use-vil': true,
  'bitmain-work-mode': '0',
  'bitmain-freq': 'O',
  'bitmain-voltage': '1950',
})}\n`;

const ok = (body: string) => ({ status: 200, body });

function miner(webReplies: Record<string, WebReply>) {
  return recordedClients('10.0.0.1', {}, webReplies);
}

/** The JSON a call sent. */
function jsonOf(t: Test, body: WebBody | undefined): unknown {
  if (body === undefined || !('json' in body)) return t.fail('not a JSON body');
  return body.json;
}

/** A form body must match a recorded one field for field, in order, and encode to the recorded bytes. */
function sameForm(t: Test, body: WebBody | undefined, recordedPath: string) {
  if (body === undefined || !('form' in body)) return t.fail('not a form body');
  const recorded = corpusText(recordedPath);
  t.strictSame(body.form, [...new URLSearchParams(recorded)], `${recordedPath}: fields in order`);
  t.equal(
    new URLSearchParams(body.form.map(([k, v]): [string, string] => [k, v])).toString(),
    recorded,
    `${recordedPath}: bytes`,
  );
}

t.test('set-pools builds the recorded requests', { skip: corpusMissing }, async (t) => {
  t.test('X19 (S19 Pro conf): JSON keeping fan and mode settings', async (t) => {
    const { clients, webSent } = miner({
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.s19pro.json',
      [SET_CONF]: 'antminer-cgi/set_miner_conf.cgi.response.txt',
    });
    await control(antminerStock, clients, { kind: 'set-pools', pools: testPools });
    t.strictSame(
      webSent.map(({ path, method }) => [method, path]),
      [
        ['GET', CONF],
        ['POST', SET_CONF],
      ],
    );
    // The one difference from the recording: freq-level keeps the conf's type, the string "100" that pyasic and
    // foreman's own sleep request send, where this foreman recording has the number 100.
    const recorded = JSON.parse(corpusText('antminer-cgi/set_miner_conf.cgi.request.new.json'));
    t.strictSame(jsonOf(t, webSent[1]?.body), { ...recorded, 'freq-level': '100' });
  });

  t.test('L3 (old firmware): the positional form', async (t) => {
    const { clients, webSent } = miner({
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.l3.json',
      [SET_CONF]: 'antminer-cgi/set_miner_conf.cgi.response.txt',
    });
    await control(antminerStock, clients, { kind: 'set-pools', pools: testPools });
    sameForm(t, webSent[1]?.body, 'antminer-cgi/set_miner_conf.cgi.request.old.txt');
  });

  t.test('Hiveon: the same form, and its "ok" printed twice is accepted', async (t) => {
    const { clients, webSent } = miner({
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.l3.json',
      [SET_CONF]: 'antminer-cgi/set_miner_conf.cgi.response.hiveon.txt',
    });
    await control(antminerHiveon, clients, { kind: 'set-pools', pools: testPools });
    sameForm(t, webSent[1]?.body, 'antminer-cgi/set_miner_conf.cgi.request.old.txt');
  });

  t.test('fewer pools leave the other slots empty; a sleeping X19 stays asleep', async (t) => {
    const { clients, webSent } = miner({
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.s19-sleeping.json',
      [SET_CONF]: ok('{"stats":"success","code":"M000","msg":"OK!"}'),
    });
    await control(antminerStock, clients, { kind: 'set-pools', pools: testPools.slice(0, 1) });
    const empty = { url: '', user: '', pass: '' };
    t.strictSame(jsonOf(t, webSent[1]?.body), {
      'bitmain-fan-ctrl': false,
      'bitmain-fan-pwm': '100',
      'miner-mode': 1,
      'freq-level': '100',
      pools: [{ url: testPools[0]?.url, user: 'my-test-username1', pass: 'my-test-password1' }, empty, empty],
    });
  });

  t.test('X17 keeps its voltage and work mode, which it reads after the frequency', async (t) => {
    const { clients, webSent } = miner({
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.s17plus.json',
      [SET_CONF]: ok('ok'),
    });
    await control(antminerStock, clients, { kind: 'set-pools', pools: testPools.slice(0, 2) });
    const body = webSent[1]?.body;
    t.strictSame(body && 'form' in body ? body.form.slice(6) : undefined, [
      ['_ant_pool3url', ''],
      ['_ant_pool3user', ''],
      ['_ant_pool3pw', ''],
      ['_ant_nobeeper', 'false'],
      ['_ant_notempoverctrl', 'false'],
      ['_ant_fan_customize_switch', 'false'],
      ['_ant_fan_customize_value', ''],
      ['_ant_freq', 'O'],
      ['_ant_voltage', '1700'],
      ['_ant_work_mode', '0'],
    ]);
  });
});

t.test('sleep and wake build the recorded requests', { skip: corpusMissing }, async (t) => {
  t.test('X19: miner-mode 1, the rest of the conf as it was', async (t) => {
    const { clients, webSent } = miner({ [CONF]: ok(s19Conf), [SET_CONF]: ok('ok') });
    await control(antminerStock, clients, { kind: 'sleep', asleep: true });
    const recorded = JSON.parse(corpusText('antminer-cgi/set_miner_conf.cgi.request.sleep.json'));
    t.strictSame(jsonOf(t, webSent[1]?.body), recorded);
    await control(antminerStock, clients, { kind: 'sleep', asleep: false });
    t.strictSame(jsonOf(t, webSent[3]?.body), { ...recorded, 'miner-mode': 0 }, 'wake is miner-mode 0');
  });

  t.test('X17: _ant_work_mode 254 and 0; its empty answer to a form write is accepted', async (t) => {
    const { clients, webSent } = miner({ [CONF]: ok(s17Conf), [SET_CONF]: ok('') });
    await control(antminerStock, clients, { kind: 'sleep', asleep: true });
    sameForm(t, webSent[1]?.body, 'antminer-cgi/set_miner_conf.cgi.request.x17-sleep.txt');
    await control(antminerStock, clients, { kind: 'sleep', asleep: false });
    sameForm(t, webSent[3]?.body, 'antminer-cgi/set_miner_conf.cgi.request.x17-normal.txt');
  });

  t.test('older firmware has no sleep mode: refused before any write', async (t) => {
    const { clients, webSent } = miner({ [CONF]: 'antminer-cgi/get_miner_conf.cgi.l3.json' });
    await t.rejects(control(antminerStock, clients, { kind: 'sleep', asleep: true }), {
      code: 'MINER_UNSUPPORTED',
    });
    t.strictSame(
      webSent.map(({ method }) => method),
      ['GET'],
    );
  });
});

t.test('led builds the recorded requests', { skip: corpusMissing }, async (t) => {
  for (const on of [true, false]) {
    const state = on ? 'on' : 'off';
    const x19 = miner({
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.s19pro.json',
      [BLINK]: `antminer-cgi/blink.cgi.response.${state}.json`,
    });
    await control(antminerStock, x19.clients, { kind: 'led', on });
    t.strictSame(
      jsonOf(t, x19.webSent[1]?.body),
      JSON.parse(corpusText(`antminer-cgi/blink.cgi.request.${state}.json`)),
      `X19 ${state}`,
    );
    const x17 = miner({ [CONF]: 'antminer-cgi/get_miner_conf.cgi.s17plus.json', [BLINK]: ok('') });
    await control(antminerStock, x17.clients, { kind: 'led', on });
    sameForm(t, x17.webSent[1]?.body, `antminer-cgi/blink.cgi.request.old-${state}.txt`);
  }
});

t.test(
  'led: a wrong code is a failure, a missing blink.cgi is unsupported',
  { skip: corpusMissing },
  async (t) => {
    const wrong = miner({
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.s19pro.json',
      [BLINK]: 'antminer-cgi/blink.cgi.response.off.json',
    });
    await t.rejects(control(antminerStock, wrong.clients, { kind: 'led', on: true }), {
      code: 'MINER_COMMAND_FAILED',
      message: 'blink.cgi answered B100, not B000',
    });
    const none = miner({ [CONF]: 'antminer-cgi/get_miner_conf.cgi.l3.json' });
    await t.rejects(control(antminerStock, none.clients, { kind: 'led', on: true }), {
      code: 'MINER_UNSUPPORTED',
    });
  },
);

t.test('reboot: success, and the miner going down once the CGI ran', async (t) => {
  const accepted: WebReply[] = [
    ok(''),
    'dropped',
    { status: 500, body: '<title>500 - Internal Server Error</title>' }, // the CGI killed with the box
  ];
  for (const reply of accepted) {
    const { clients, webSent } = miner({ [REBOOT]: reply });
    await control(antminerStock, clients, { kind: 'reboot' });
    t.strictSame(webSent, [{ path: REBOOT, method: 'GET' }]);
  }
  const refused: [WebReply, string][] = [
    [{ status: 404, body: '' }, 'MINER_COMMAND_FAILED'],
    // A drop the transport did not count as the reboot: it came before our credentials were sent.
    [new MinerError('MINER_EMPTY_REPLY', 'socket closed before the response'), 'MINER_EMPTY_REPLY'],
    [new MinerError('MINER_CONNECTION_RESET', 'socket reset during the response'), 'MINER_CONNECTION_RESET'],
    [new MinerError('MINER_AUTH_FAILED', 'credentials refused (HTTP 401)'), 'MINER_AUTH_FAILED'],
    [new MinerError('MINER_TIMEOUT', 'no complete reply within 10000 ms'), 'MINER_TIMEOUT'],
    [new MinerError('MINER_CONNECT_REFUSED', 'connection refused'), 'MINER_CONNECT_REFUSED'],
  ];
  for (const [reply, code] of refused) {
    await t.rejects(control(antminerStock, miner({ [REBOOT]: reply }).clients, { kind: 'reboot' }), { code });
  }
});

t.test('without web credentials every operation fails typed, before any request', async (t) => {
  const { clients, sent } = recordedClients('10.0.0.1', {});
  const operations: ControlOperation[] = [
    { kind: 'reboot' },
    { kind: 'set-pools', pools: testPools },
    { kind: 'led', on: true },
    { kind: 'sleep', asleep: true },
  ];
  for (const operation of operations) {
    await t.rejects(control(antminerStock, clients, operation), {
      code: 'MINER_AUTH_FAILED',
      message: 'no web credentials for 10.0.0.1',
    });
  }
  t.strictSame(sent, []);
});

t.test('what each Antminer driver declares', async (t) => {
  const declared = (driver: Driver) => [...driver.capabilities];
  t.strictSame(declared(antminerStock), ['reboot', 'set-pools', 'led', 'sleep', 'set-login']);
  t.strictSame(declared(antminerHiveon), ['reboot', 'set-pools']);
  t.strictSame(declared(antminerAsicseer), ['reboot']);
  const { clients, webSent } = miner({});
  const undeclared: [Driver, ControlOperation][] = [
    [antminerStock, { kind: 'power-mode', mode: 'low' }],
    [antminerStock, { kind: 'restart-mining' }],
    [antminerStock, { kind: 'power-limit', watts: 3000 }],
    [antminerHiveon, { kind: 'led', on: true }],
    [antminerHiveon, { kind: 'sleep', asleep: true }],
    [antminerHiveon, { kind: 'set-login', username: 'root', password: 'n3w' }],
    [antminerAsicseer, { kind: 'set-pools', pools: testPools }],
  ];
  for (const [driver, operation] of undeclared) {
    await t.rejects(control(driver, clients, operation), { code: 'MINER_UNSUPPORTED' }, operation.kind);
  }
  t.strictSame(webSent, [], 'nothing was sent');
});

t.test(
  'refusals and bad confs fail typed and write nothing they should not',
  { skip: corpusMissing },
  async (t) => {
    const setPools: ControlOperation = { kind: 'set-pools', pools: testPools };
    const s19pro = 'antminer-cgi/get_miner_conf.cgi.s19pro.json';
    const refusals: [string, WebReply][] = [
      ['an error page as text', ok('error')],
      ['a JSON error code', ok('{"stats":"error","code":"M001","msg":"Config error"}')],
      ['an empty answer to JSON', ok('')],
    ];
    for (const [name, reply] of refusals) {
      const { clients } = miner({ [CONF]: s19pro, [SET_CONF]: reply });
      await t.rejects(control(antminerStock, clients, setPools), { code: 'MINER_COMMAND_FAILED' }, name);
    }
    const badConf = miner({ [CONF]: ok('{"pools":"none"}') });
    await t.rejects(control(antminerStock, badConf.clients, setPools), { code: 'MINER_BAD_REPLY' });
    t.equal(badConf.webSent.length, 1, 'a conf it cannot read is never written back');
    const badMode = miner({
      [CONF]: ok('{"pools":[],"bitmain-freq-level":"100","bitmain-work-mode":"eco"}'),
    });
    await t.rejects(control(antminerStock, badMode.clients, setPools), { code: 'MINER_BAD_REPLY' });
    const shifted = miner({ [CONF]: ok('{"pools":[],"bitmain-work-mode":"0"}') });
    await t.rejects(control(antminerStock, shifted.clients, setPools), {
      code: 'MINER_BAD_REPLY',
      message: /without bitmain-voltage/,
    });
    t.equal(shifted.webSent.length, 1, 'a form whose positions would shift is never sent');
  },
);

t.test(
  'the old form refuses what its CGI would store mangled, before writing',
  { skip: corpusMissing },
  async (t) => {
    for (const password of ['a"b', 'a\\b', '50%25', 'p~w', 'naïve', "it's"]) {
      const { clients, webSent } = miner({ [CONF]: 'antminer-cgi/get_miner_conf.cgi.l3.json' });
      const pools = [{ ...testPools[0], password } as PoolSetting];
      const error = await control(antminerStock, clients, { kind: 'set-pools', pools }).catch(
        (e: unknown) => e,
      );
      t.match(error, { code: 'MINER_BAD_ARGUMENT', message: /^_ant_pool1pw has a character/ }, password);
      t.notOk(inspect(error).includes(password), 'the password is not in the error');
      t.equal(webSent.length, 1, 'nothing written');
    }
    const { clients } = miner({ [CONF]: 'antminer-cgi/get_miner_conf.cgi.l3.json', [SET_CONF]: ok('ok') });
    const pools = [{ ...testPools[0], password: 'd=1;c=BTC&x@y#z$[1]^2<3>?' } as PoolSetting];
    await control(antminerStock, clients, { kind: 'set-pools', pools });
  },
);

t.test('pool passwords never appear in an error', { skip: corpusMissing }, async (t) => {
  const canary = 'POOL-CANARY-7f3e';
  const pools = [{ ...testPools[0], password: canary } as PoolSetting];
  const confWithCanary = JSON.stringify({
    pools: [{ url: 'stratum+tcp://old:3333', user: 'w', pass: canary }],
    'bitmain-freq-level': '100',
  });
  const failures: Record<string, WebReply>[] = [
    {
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.s19pro.json',
      [SET_CONF]: ok(`{"code":"M001","msg":"${canary}"}`),
    },
    { [CONF]: 'antminer-cgi/get_miner_conf.cgi.s19pro.json', [SET_CONF]: ok(`bad pass ${canary}`) },
    { [CONF]: 'antminer-cgi/get_miner_conf.cgi.s19pro.json', [SET_CONF]: { status: 500, body: canary } },
    {
      [CONF]: 'antminer-cgi/get_miner_conf.cgi.s19pro.json',
      [SET_CONF]: new MinerError('MINER_TIMEOUT', 'no complete reply within 10000 ms'),
    },
    { [CONF]: ok(`${confWithCanary.slice(0, -1)},"bitmain-fan-ctrl":"maybe"}`) },
    { [CONF]: ok(confWithCanary.slice(0, -2)) },
    { [CONF]: ok(`{"pools":[{"url":"x","user":"y","pass":"${canary}"}],"bitmain-work-mode":"0"}`) },
  ];
  const operations: ControlOperation[] = [
    { kind: 'set-pools', pools },
    { kind: 'sleep', asleep: true },
  ];
  for (const replies of failures) {
    for (const operation of operations) {
      const error = await control(antminerStock, miner(replies).clients, operation).catch((e: unknown) => e);
      t.type(error, MinerError, operation.kind);
      t.notOk(inspect(error, { depth: Number.POSITIVE_INFINITY }).includes(canary), 'no password in it');
    }
  }
});

t.test('set-login: passwd.cgi gets the current password as a check and the new one twice', async (t) => {
  const PASSWD = '/cgi-bin/passwd.cgi';
  const current = { username: 'root', password: 'OLD-canary-pw' };
  const run = async (reply: string) => {
    const { clients, webSent } = miner({ [CONF]: ok(s19Conf), [PASSWD]: ok(reply) });
    clients.adminLogin = () => current;
    const result = await control(antminerStock, clients, {
      kind: 'set-login',
      username: 'root',
      password: 'NEW-canary-pw',
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    return { result, webSent };
  };
  const accepted = await run('{"stats":"success","code":"P000","msg":"OK!"}');
  t.equal(accepted.result, undefined, 'accepted');
  t.strictSame(
    accepted.webSent.map(({ path, method }) => [method, path]),
    [
      ['GET', CONF],
      ['POST', PASSWD],
    ],
  );
  t.strictSame(jsonOf(t, accepted.webSent[1]?.body), {
    curPwd: 'OLD-canary-pw',
    newPwd: 'NEW-canary-pw',
    confirmPwd: 'NEW-canary-pw',
  });
  for (const reply of ['{"stats":"error","code":"P002","msg":"NEW-canary-pw"}', '', '<html>500</html>']) {
    const { result } = await run(reply);
    t.ok(
      result instanceof MinerError && result.code === 'MINER_COMMAND_FAILED',
      `refused: ${reply.slice(0, 20)}`,
    );
    t.notMatch(inspect(result), /canary-pw/, 'the error quotes no password');
  }
});
