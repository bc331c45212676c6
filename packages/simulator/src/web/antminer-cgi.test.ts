// The stock Antminer web CGI over real HTTP, through the miners package's own Digest client.
import {
  cgminerCommand,
  connectClients,
  control,
  driverById,
  MinerReader,
  type WebCall,
  WebClient,
} from '@hashinsight/miners';
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { corpusJson, corpusMissing, corpusText, shapeGaps, started } from '../test/support.js';
import type { VirtualMiner, VirtualMinerOptions } from '../virtual-miner.js';

const root = { username: 'root', password: 'root' };

async function antminer(t: Parameters<typeof started>[0], options: Partial<VirtualMinerOptions> = {}) {
  const miner = await started(t, {
    personality: 'antminer',
    model: 'Antminer S19 Pro',
    httpPort: 0,
    ...options,
  });
  const client = (credentials = root) => new WebClient(miner.ip, { port: miner.httpPort ?? 0, credentials });
  const web = (path: string, call?: WebCall) => client().request(`/cgi-bin/${path}`, call);
  return { miner, client, web };
}

const antminerStock = driverById('antminer-stock')!;
const read = (miner: VirtualMiner) => new MinerReader({ port: miner.port }).read(miner.ip);

const pools = [1, 2, 3].map((n) => ({
  url: `stratum+tcp://pool${n}.invalid:3333`,
  user: `op.w${n}`,
  pass: `p${n}`,
}));

t.test('info and config, shaped like the corpus', { skip: corpusMissing }, async (t) => {
  const { miner, web } = await antminer(t);
  const info = (await web('get_system_info.cgi')).json as Record<string, unknown>;
  t.match(info, { minertype: 'Antminer S19 Pro', ipaddress: miner.ip, serinum: miner.serial.toUpperCase() });
  // Two S21 recordings: the 2025 FR-1.12 build and the 2024 one with firmware_type and serinum.
  for (const real of [
    'antminer-cgi/get_system_info.cgi.s21.json',
    'antminer-cgi/get_system_info.cgi.s21-b.json',
  ]) {
    t.same(shapeGaps(corpusJson(real), info, new Set()), [], real);
  }
  const conf = (await web('get_miner_conf.cgi')).json as Record<string, unknown>;
  t.same(shapeGaps(corpusJson('antminer-cgi/get_miner_conf.cgi.s19pro.json'), conf, new Set()), []);
  t.match(conf, { 'bitmain-work-mode': '0', pools: [{ url: 'stratum+tcp://pool.invalid:3333', pass: 'x' }] });
  const network = (await web('get_network_info.cgi')).json;
  t.same(shapeGaps(corpusJson('antminer-cgi/get_network_info.cgi.json'), network, new Set()), []);
});

t.test('set_miner_conf (X19 JSON) sets the pools the cgminer API shows and restarts mining', async (t) => {
  let now = Date.UTC(2025, 0, 1);
  const { miner, web } = await antminer(t, { now: () => now });
  now += 3_600_000;
  t.equal((await read(miner)).uptimeS, 3600);
  const body = {
    'bitmain-fan-ctrl': true,
    'bitmain-fan-pwm': '80',
    'miner-mode': 0,
    'freq-level': 100,
    pools,
  };
  const answer = await web('set_miner_conf.cgi', { body: { json: body }, expect: 'text' });
  t.equal(answer.text, 'ok');
  const reading = await read(miner);
  t.same(
    reading.pools.map((pool) => [pool.url, pool.user, pool.active]),
    pools.map((pool, i) => [pool.url, pool.user, i === 0]),
  );
  t.equal(reading.uptimeS, 0, 'bmminer restarted with the new config');
  t.same(
    miner.state().pools.map((pool) => pool.password),
    ['p1', 'p2', 'p3'],
  );
  t.match((await web('get_miner_conf.cgi')).json, {
    'bitmain-fan-ctrl': true,
    'bitmain-fan-pwm': '80',
    pools: [{ pass: 'p1' }, { pass: 'p2' }, { pass: 'p3' }],
  });
});

t.test('miner-mode: 1 sleeps, 3 runs low power, 0 is normal', async (t) => {
  const { miner, web } = await antminer(t);
  const mode = (minerMode: number | string) =>
    web('set_miner_conf.cgi', { body: { json: { 'miner-mode': minerMode, pools } }, expect: 'text' });
  await mode(1);
  t.match(miner.state(), { asleep: true, powerMode: 'normal' });
  t.match(await read(miner), { status: 'sleeping', hashrateMhs: 0 });
  t.match((await web('get_miner_conf.cgi')).json, { 'bitmain-work-mode': '1' });
  await mode('3'); // pyasic may send the mode as a string
  t.match(miner.state(), { asleep: false, powerMode: 'low' });
  const low = await read(miner);
  t.equal(low.status, 'ok', 'expected rate follows the mode (total_rateideal)');
  t.ok(Math.abs(low.hashrateMhs - 88_000_000) < 88_000_000 * 0.03, `${low.hashrateMhs} ≈ 80% of 110 TH/s`);
  t.match((await web('get_miner_conf.cgi')).json, { 'bitmain-work-mode': '3' });
  await mode(0);
  t.match(miner.state(), { asleep: false, powerMode: 'normal' });
  t.ok((await read(miner)).hashrateMhs > 105_000_000);
});

t.test(
  'the old positional form (X17): pools and work mode by position',
  { skip: corpusMissing },
  async (t) => {
    const { miner, web } = await antminer(t);
    const form = [
      ...new URLSearchParams(corpusText('antminer-cgi/set_miner_conf.cgi.request.x17-sleep.txt').trim()),
    ];
    t.equal((await web('set_miner_conf.cgi', { body: { form }, expect: 'text' })).text, 'ok');
    t.match(miner.state(), {
      asleep: true,
      pools: [{ url: 'aaa:700', user: 'aaa.226x94', password: 'x' }, { url: 'bbb:6000' }, { url: 'ccc:443' }],
    });
    const normal = [
      ...new URLSearchParams(corpusText('antminer-cgi/set_miner_conf.cgi.request.x17-normal.txt').trim()),
    ];
    await web('set_miner_conf.cgi', { body: { form: normal }, expect: 'text' });
    t.equal(miner.state().asleep, false);
    // The CGI reads values by position: a client that sends the user first configures it as the URL.
    const swapped = [normal[1], normal[0], ...normal.slice(2)] as Array<[string, string]>;
    await web('set_miner_conf.cgi', { body: { form: swapped }, expect: 'text' });
    t.match(miner.state().pools[0], { url: 'aaa.226x94', user: 'aaa:700' });
  },
);

t.test('blink: X19 JSON, the old form, and its status', async (t) => {
  const { miner, web } = await antminer(t);
  t.same((await web('get_blink_status.cgi')).json, { blink: false });
  t.same((await web('blink.cgi', { body: { json: { blink: true } } })).json, { code: 'B000' });
  t.equal(miner.state().led, true);
  t.same((await web('get_blink_status.cgi')).json, { blink: true });
  t.same((await web('blink.cgi', { body: { json: { blink: 'false' } } })).json, { code: 'B100' });
  t.equal(miner.state().led, false);
  await web('blink.cgi', { body: { form: [['action', 'startBlink']] }, expect: 'text' });
  t.equal(miner.state().led, true);
  await web('blink.cgi', { body: { form: [['action', 'stopBlink']] }, expect: 'text' });
  t.equal(miner.state().led, false);
  await t.rejects(web('blink.cgi', { body: { json: { blink: 'maybe' } } }), {
    code: 'MINER_COMMAND_FAILED',
    status: 400,
  });
});

t.test('reboot.cgi: 500, offline for a while, then back with uptime 0 and the LED off', async (t) => {
  const { miner, web } = await antminer(t, { rebootMs: 400 });
  await web('blink.cgi', { body: { json: { blink: true } } });
  await t.rejects(web('reboot.cgi', { method: 'POST', expect: 'text' }), {
    code: 'MINER_COMMAND_FAILED',
    status: 500,
  });
  t.equal(miner.state().rebooting, true);
  await t.rejects(cgminerCommand(miner.ip, 'summary', undefined, { port: miner.port }), {
    code: 'MINER_CONNECT_REFUSED',
  });
  await t.rejects(web('get_system_info.cgi'), { code: 'MINER_CONNECT_REFUSED' });
  await waitFor('the miner back', () => (miner.state().rebooting ? undefined : true));
  const reading = await read(miner);
  t.match(reading, { status: 'ok', uptimeS: 0 });
  t.match(miner.state(), { led: false, rebooting: false });
  t.equal((await web('get_system_info.cgi')).status, 200, 'the web server is back too');
});

t.test('reboot through the driver: a drop before authentication is an error, not a reboot', async (t) => {
  const { miner } = await antminer(t, { rebootMs: 400 });
  const clients = connectClients(miner.ip, {
    port: miner.port,
    web: { port: miner.httpPort ?? 0, credentials: root },
  });
  await miner.setFault('reset');
  await t.rejects(control(antminerStock, clients, { kind: 'reboot' }), {
    code: 'MINER_EMPTY_REPLY',
    message: /before credentials were sent/,
  });
  t.equal(miner.state().rebooting, false, 'the CGI never ran');
  await miner.setFault('none');
  await control(antminerStock, clients, { kind: 'reboot' });
  t.equal(miner.state().rebooting, true, 'the authenticated request took it down');
  await waitFor('the miner back', () => (miner.state().rebooting ? undefined : true));
});

t.test('credentials: configurable, and the wrong-password fault refuses all', async (t) => {
  const login = { username: 'admin', password: 's3cret-pass' };
  const { miner, client } = await antminer(t, { credentials: login });
  const info = (credentials: typeof login) => client(credentials).request('/cgi-bin/get_system_info.cgi');
  t.equal((await info(login)).status, 200);
  const refused = await info(root).catch((error: unknown) => error);
  t.match(refused, { name: 'MinerError', code: 'MINER_AUTH_FAILED' });
  await miner.setFault('wrong-password');
  const wrong = await info(login).catch((error: Error) => error);
  t.match(wrong, { code: 'MINER_AUTH_FAILED' });
  t.notMatch(String((wrong as Error).message), /s3cret/, 'the password is never in the error');
  t.equal((await read(miner)).status, 'ok', 'the cgminer API is untouched');
  await miner.setFault('none');
  t.equal((await info(login)).status, 200);
});

t.test('hostile and malformed requests', async (t) => {
  const { miner, web } = await antminer(t);
  const origin = `http://${miner.ip}:${miner.httpPort}`;
  const open = await fetch(`${origin}/`);
  t.equal(open.status, 401);
  t.match(
    open.headers.get('www-authenticate'),
    /^Digest realm="antMiner Configuration", nonce="[^"]+", qop="auth"/,
  );
  t.match(await open.text(), /401 - Unauthorized/);
  const big = await fetch(`${origin}/cgi-bin/set_miner_conf.cgi`, {
    method: 'POST',
    body: 'x'.repeat(200_000),
  });
  t.equal(big.status, 413, 'a body beyond 64 KiB is refused before authentication');
  const conf = (json: unknown) => web('set_miner_conf.cgi', { body: { json }, expect: 'text' });
  await t.rejects(conf([1, 2]), { code: 'MINER_COMMAND_FAILED', status: 400 }, 'not an object');
  await t.rejects(conf({ pools: 'pool' }), { code: 'MINER_COMMAND_FAILED', status: 400 });
  await t.rejects(conf({ pools: [{ url: 1 }] }), { code: 'MINER_COMMAND_FAILED', status: 400 });
  await t.rejects(
    conf({ pools: [...pools, ...pools] }),
    { code: 'MINER_COMMAND_FAILED', status: 400 },
    'four pools or more',
  );
  await t.rejects(conf({ 'miner-mode': 7 }), { code: 'MINER_COMMAND_FAILED', status: 400 });
  await t.rejects(conf({ 'bitmain-fan-ctrl': 'yes', 'bitmain-fan-pwm': '100' }), {
    code: 'MINER_COMMAND_FAILED',
    status: 400,
  });
  await t.rejects(
    web('set_miner_conf.cgi', { body: { form: [['_ant_pool1url', 'x']] }, expect: 'text' }),
    { code: 'MINER_COMMAND_FAILED', status: 400 },
    'an old form without every pool field',
  );
  await t.rejects(web('no_such.cgi'), { code: 'MINER_COMMAND_FAILED', status: 404 });
  t.match(miner.state().pools[0], { url: 'stratum+tcp://pool.invalid:3333' }, 'nothing changed');
});

t.test('only a stock Antminer with an httpPort has a web server', async (t) => {
  const plain = await started(t, { personality: 'antminer' });
  t.equal(plain.httpPort, undefined);
  const luxos = await started(t, { personality: 'luxos', httpPort: 0 });
  t.equal(luxos.httpPort, undefined);
});
