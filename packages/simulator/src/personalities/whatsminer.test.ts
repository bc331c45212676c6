// Whatsminer's privileged API as btminer speaks it: get_token, AES requests signed with a live token, results
// encrypted back, and the plain refusals (137, 23, 135, 136, 14) of requests it cannot use.
import { createHash } from 'node:crypto';
import {
  BtminerClient,
  decryptReply,
  deriveToken,
  encrypt,
  encryptRequest,
  md5CryptHash,
} from '@hashinsight/miners';
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { ask, raw, started } from '../test/support.js';
import type { VirtualMiner } from '../virtual-miner.js';

const reply = async (miner: VirtualMiner, request: string) =>
  JSON.parse((await raw(miner, request)).toString('utf8').replace(/\0$/, '')) as Record<string, unknown>;

async function token(miner: VirtualMiner, password = 'admin') {
  const answer = await reply(miner, '{"cmd":"get_token"}');
  const challenge = answer.Msg as { time: string; salt: string; newsalt: string };
  return deriveToken(password, challenge);
}

t.test('get_token answers Code 134 with time, salt and a fresh newsalt', async (t) => {
  const miner = await started(t, { personality: 'whatsminer' });
  const first = await reply(miner, '{"cmd":"get_token"}');
  t.match(first, {
    STATUS: 'S',
    Code: 134,
    Msg: { time: /^\d{4}$/, salt: /^[./0-9A-Za-z]{8}$/, newsalt: /^[./0-9A-Za-z]{8}$/ },
  });
  const second = await ask(miner, 'get_token');
  t.equal(
    (second.Msg as { salt: string }).salt,
    (first.Msg as { salt: string }).salt,
    'the salt is the miner’s',
  );
  t.not((second.Msg as { newsalt: string }).newsalt, (first.Msg as { newsalt: string }).newsalt);
});

t.test('a signed request changes the miner and is answered encrypted', async (t) => {
  const miner = await started(t, { personality: 'whatsminer' });
  const { aesKey, sign } = await token(miner);
  const params = { color: 'red', period: '2000', duration: '1000', start: '0' };
  const answer = await reply(miner, encryptRequest(aesKey, 'set_led', params, sign));
  t.type(answer.enc, 'string', 'the result is encrypted');
  t.match(decryptReply(aesKey, answer.enc as string), { STATUS: 'S', Code: 131 });
  t.equal(miner.state().led, true);
  const unknown = await reply(miner, encryptRequest(aesKey, 'format_disk', {}, sign));
  t.match(decryptReply(aesKey, unknown.enc as string), { STATUS: 'E', Code: 14 }, 'an unknown command: 14');
});

t.test('requests it cannot use are refused in the clear, and change nothing', async (t) => {
  const miner = await started(t, { personality: 'whatsminer' });
  const { aesKey, sign } = await token(miner);
  const before = miner.state();
  const cases: Array<[string, string, number]> = [
    ['not base64', '{"enc":1,"data":"!!!"}', 137],
    ['no data', '{"enc":1}', 137],
    ['a partial block', JSON.stringify({ enc: 1, data: Buffer.alloc(20).toString('base64') }), 137],
    [
      'no JSON inside',
      JSON.stringify({ enc: 1, data: encrypt(aesKey, Buffer.from('power_off')).toString('base64') }),
      23,
    ],
    [
      'no token',
      JSON.stringify({
        enc: 1,
        data: encrypt(aesKey, Buffer.from('{"cmd":"power_off"}')).toString('base64'),
      }),
      135,
    ],
    ['a forged token', encryptRequest(aesKey, 'power_off', {}, `${sign.slice(1)}x`), 135],
    [
      'another password',
      encryptRequest(
        deriveToken('hunter2', { time: '1', salt: 'ab', newsalt: 'cd' }).aesKey,
        'power_off',
        {},
        sign,
      ),
      23,
    ],
  ];
  for (const [name, request, code] of cases) {
    t.match(await reply(miner, request), { STATUS: 'E', Code: code }, `${name}: ${code}`);
  }
  t.same(miner.state(), before);
});

t.test('tokens last 30 minutes and one btminer run, 32 at a time', async (t) => {
  let now = Date.UTC(2025, 0, 1);
  const miner = await started(t, { personality: 'whatsminer', now: () => now });
  const signed = async (cmd: string, given: { aesKey: Buffer; sign: string }) => {
    const answer = await reply(miner, encryptRequest(given.aesKey, cmd, {}, given.sign));
    return typeof answer.enc === 'string' ? decryptReply(given.aesKey, answer.enc) : answer;
  };
  const first = await token(miner);
  now += 29 * 60_000;
  t.match(await signed('power_on', first), { Code: 131 }, 'alive after 29 minutes');
  now += 2 * 60_000;
  t.match(await signed('power_on', first), { Code: 135 }, 'dead after 31');
  const second = await token(miner);
  t.match(await signed('restart_btminer', second), { Code: 131 });
  t.match(await signed('power_on', second), { Code: 135 }, 'a btminer restart forgets its tokens');
  for (let i = 0; i < 32; i++) await token(miner);
  t.match(await reply(miner, '{"cmd":"get_token"}'), { STATUS: 'E', Code: 136 }, 'the 33rd is refused');
});

t.test('the admin password is factory admin, or the one given', async (t) => {
  const factory = await started(t, { personality: 'whatsminer' });
  await new BtminerClient(factory.ip, { port: factory.port, password: 'admin' }).command('power_off', {
    respbefore: 'true',
  });
  t.equal(factory.state().asleep, true);
  t.match(await ask(factory, 'status'), { Msg: { btmineroff: 'true' } }, 'status says so');

  const given = await started(t, {
    personality: 'whatsminer',
    credentials: { username: 'admin', password: 'Chang3d' },
  });
  await t.rejects(new BtminerClient(given.ip, { port: given.port, password: 'admin' }).command('power_off'), {
    code: 'MINER_AUTH_FAILED',
  });
  await new BtminerClient(given.ip, { port: given.port, password: 'Chang3d' }).command('power_off');
  t.equal(given.state().asleep, true);
});

t.test('wrong-password: the right password no longer opens it', async (t) => {
  const miner = await started(t, { personality: 'whatsminer' });
  await miner.setFault('wrong-password');
  const before = miner.state();
  const { aesKey, sign } = await token(miner);
  t.match(await reply(miner, encryptRequest(aesKey, 'power_off', {}, sign)), { STATUS: 'E', Code: 23 });
  await t.rejects(new BtminerClient(miner.ip, { port: miner.port, password: 'admin' }).command('reboot'), {
    code: 'MINER_AUTH_FAILED',
  });
  t.same(miner.state(), before);
});

t.test('pools, power mode and power limit', async (t) => {
  const miner = await started(t, { personality: 'whatsminer', model: 'Whatsminer M30S+' });
  const btminer = new BtminerClient(miner.ip, { port: miner.port, password: 'admin' });
  await btminer.command('update_pools', {
    pool1: 'stratum+tcp://a.invalid:3333',
    worker1: 'rig.1',
    passwd1: 'x',
    pool2: '',
    worker2: '',
    passwd2: '',
  });
  t.match(miner.state().pools, [{ url: 'stratum+tcp://a.invalid:3333', user: 'rig.1', password: 'x' }]);
  t.equal(miner.state().pools.length, 1);
  await t.rejects(btminer.command('update_pools', { pool1: '' }), { code: 'MINER_COMMAND_FAILED' });
  await btminer.command('set_high_power');
  t.equal(miner.state().powerMode, 'high');
  await btminer.command('adjust_power_limit', { power_limit: '3000' });
  t.equal(miner.state().powerLimitW, 3000);
  t.match(await ask(miner, 'summary'), { SUMMARY: [{ 'Power Limit': 3000 }] });
  await t.rejects(
    btminer.command('adjust_power_limit', { power_limit: '9000' }),
    { code: 'MINER_COMMAND_FAILED', message: /Code 132/ },
    'above the rated 3400 W',
  );
});

t.test('reboot: offline, then back with uptime from zero and no tokens', async (t) => {
  let now = Date.UTC(2025, 0, 1);
  const miner = await started(t, { personality: 'whatsminer', rebootMs: 200, now: () => now });
  now += 3_600_000;
  const btminer = new BtminerClient(miner.ip, { port: miner.port, password: 'admin' });
  await btminer.command('reboot');
  t.equal(miner.state().rebooting, true);
  await waitFor('the reboot to end', () => (miner.state().rebooting ? undefined : true));
  const summary = await waitFor('the API back', () => ask(miner, 'summary').catch(() => undefined));
  t.match(summary, { SUMMARY: [{ Elapsed: 0 }] });
  await btminer.command('power_on'); // its kept token died with the reboot: one fresh login
  t.pass('the client logged in again');
});

t.test(
  'the miner keeps the md5-crypt hash, not the password: the salt is the same for every token',
  async (t) => {
    const miner = await started(t, { personality: 'whatsminer' });
    const salts = new Set<string>();
    for (let i = 0; i < 3; i++) salts.add(((await ask(miner, 'get_token')).Msg as { salt: string }).salt);
    t.equal(salts.size, 1);
    const [salt] = [...salts] as [string];
    const key = md5CryptHash('admin', salt);
    t.equal((await token(miner)).aesKey.toString('hex'), createHash('sha256').update(key).digest('hex'));
  },
);
