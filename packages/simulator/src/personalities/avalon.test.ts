// Avalon commanded the way Canaan's cgminer is: `ascset|0,..` (JSON or text form), `restart`, pool commands.
import { cgminerCommand, cgminerMulti, MinerReader } from '@hashinsight/miners';
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { ask, started } from '../test/support.js';
import type { VirtualMiner } from '../virtual-miner.js';

const avalon = (t: Parameters<typeof started>[0], rebootMs = 300) =>
  started(t, { personality: 'avalon', model: 'AvalonMiner 1246', rebootMs });
const read = (miner: VirtualMiner) => new MinerReader({ port: miner.port }).read(miner.ip);
const ascset = (miner: VirtualMiner, parameter: string, form: 'json' | 'text' = 'json') =>
  cgminerCommand(miner.ip, 'ascset', parameter, { port: miner.port, form });
/** One field of the MM string, as the miner reports it now. */
async function mm(miner: VirtualMiner, name: string): Promise<string | undefined> {
  const stats = (await ask(miner, 'stats')).STATS as Array<Record<string, unknown>>;
  return new RegExp(`${name}\\[([^\\]]*)\\]`).exec(String(stats[0]?.['MM ID0']))?.[1];
}

t.test('led: on, query, off, in the text form foreman uses and in JSON', async (t) => {
  const miner = await avalon(t);
  const on = await ascset(miner, '0,led,1-1', 'text');
  t.match(on.status, { letter: 'S', code: 119, msg: 'ASC 0 set OK', description: 'cgminer 4.11.1' });
  t.equal(miner.state().led, true);
  t.equal(await mm(miner, 'Led'), '1');
  t.match((await ascset(miner, '0,led,1-255')).status, {
    letter: 'I',
    code: 118,
    msg: 'ASC 0 set info: LED[1]',
  });
  await ascset(miner, '0,led,1-0');
  t.equal(miner.state().led, false);
  t.equal(await mm(miner, 'Led'), '0');
});

t.test('softoff puts it to sleep, softon wakes it', async (t) => {
  const miner = await avalon(t);
  const off = await ascset(miner, '0,softoff,1:1753434821');
  t.match(off.status, { letter: 'I', code: 118, msg: 'ASC 0 set info: success softoff:1753434821' });
  t.match(await read(miner), { status: 'sleeping', hashrateMhs: 0 });
  t.equal(await mm(miner, 'SoftOFF'), '1');
  t.match((await ascset(miner, '0,softon,1:1753434757')).status, {
    msg: 'ASC 0 set info: success softon:1753434757',
  });
  t.match(await read(miner), { status: 'ok' });
  t.equal(miner.state().asleep, false);
});

t.test('workmode changes hashrate, power and what the firmware expects', async (t) => {
  const miner = await avalon(t);
  const normal = await read(miner);
  t.equal(await mm(miner, 'WORKMODE'), '1');
  t.match((await ascset(miner, '0,workmode,set,0')).status, { code: 119 });
  t.equal(miner.state().powerMode, 'low');
  const low = await read(miner);
  t.equal(low.status, 'ok', 'GHSmm follows the mode');
  t.ok(low.hashrateMhs < normal.hashrateMhs * 0.85, 'hashrate drops');
  t.ok((low.powerW ?? 0) < (normal.powerW ?? 0) * 0.8, 'power drops more');
  t.ok(Math.max(...low.fansRpm) < Math.min(...normal.fansRpm), 'fans slow down');
  await ascset(miner, '0,workmode,2');
  t.equal(miner.state().powerMode, 'high');
  t.equal(await mm(miner, 'WORKMODE'), '2');
});

t.test('setpool checks the admin login and takes effect after a reboot', async (t) => {
  const miner = await avalon(t);
  await t.rejects(ascset(miner, '0,setpool,root,wrong,stratum+tcp://new.invalid:3333,op.1,x'), {
    code: 'MINER_COMMAND_FAILED',
    message: /Code 120: ASC 0 set failed: wrong admin login/,
  });
  const set = await ascset(miner, '0,setpool,root,root,stratum+tcp://new.invalid:3333,op.1,x', 'text');
  t.match(set.status, {
    letter: 'I',
    code: 118,
    msg: /pool success set to stratum\+tcp:\/\/new\.invalid:3333/,
  });
  t.match(set.status.msg, /Please reboot miner to make config work\./);
  t.equal(
    miner.state().pools[0]?.url,
    'stratum+tcp://pool.invalid:3333',
    'nothing changes before the reboot',
  );
  t.match((await ascset(miner, '0,reboot,0')).status, { code: 119 });
  t.equal(miner.state().rebooting, true);
  await t.rejects(read(miner), { code: 'MINER_CONNECT_REFUSED' });
  await waitFor('the reboot to end', () => (miner.state().rebooting ? undefined : true));
  t.match(miner.state().pools, [
    { url: 'stratum+tcp://new.invalid:3333', user: 'op.1', password: 'x', active: true },
  ]);
  t.match(await read(miner), { status: 'ok', uptimeS: 0 });
});

t.test('restart answers a bare RESTART, then the miner is gone for a while', async (t) => {
  const miner = await avalon(t);
  t.same(await ask(miner, 'restart'), { STATUS: 'RESTART', id: 1 });
  t.equal(miner.state().rebooting, true);
  await waitFor('the restart to end', () => (miner.state().rebooting ? undefined : true));
  t.equal((await read(miner)).status, 'ok');
});

t.test('bad ascset requests are refused with Canaan codes', async (t) => {
  const miner = await avalon(t);
  const cases: Array<[string, RegExp]> = [
    ['1,led,1-1', /Code 107: Invalid ASC id 1/],
    ['0,led,7', /Code 120: ASC 0 set failed: invalid led value/],
    ['0,softoff,tomorrow', /Code 120/],
    ['0,workmode,set,9', /Code 120: ASC 0 set failed: invalid workmode/],
    ['0,setpool,root,root', /Code 120/],
    ['0,frobnicate', /Code 120: ASC 0 set failed: unknown option frobnicate/],
    ['', /Code 107/],
  ];
  for (const [parameter, message] of cases) {
    await t.rejects(ascset(miner, parameter), { code: 'MINER_COMMAND_FAILED', message }, parameter);
  }
  t.match(miner.state(), { led: false, asleep: false, powerMode: 'normal' }, 'nothing changed');
  t.match((await ascset(miner, '0,help')).status.msg, /^ASC 0 set info: help\|/);
});

t.test('joined report commands, as cgminer API 3.1+ serves them', async (t) => {
  const miner = await avalon(t);
  const replies = await cgminerMulti(miner.ip, ['summary', 'pools', 'stats', 'ascset'], { port: miner.port });
  t.match(replies.get('summary'), { status: { code: 11 } });
  t.match(replies.get('pools'), { body: { POOLS: [{}, {}, {}] } });
  t.match(replies.get('stats'), { status: { code: 70 } });
  t.match(replies.get('ascset'), {
    name: 'MinerError',
    message: /Code 45: Access denied to 'ascset' command/,
  });
});

t.test('pool commands: switch, disable, add (with escaped commas), remove', async (t) => {
  let now = Date.UTC(2025, 0, 1);
  const miner = await started(t, { personality: 'avalon', now: () => now });
  now += 3_600_000;
  const pool = (command: string, parameter: string) =>
    cgminerCommand(miner.ip, command, parameter, { port: miner.port });
  const before = (await read(miner)).pools;
  const credited = before[0]?.accepted ?? 0;
  t.ok(credited > 0);
  t.match((await pool('switchpool', '1')).status, {
    code: 27,
    msg: "Switching to pool 1:'stratum+tcp://backup1.pool.invalid:3333'",
  });
  now += 3_600_000;
  const after = (await read(miner)).pools;
  t.same(
    after.map((p) => p.active),
    [false, true, false],
  );
  t.equal(after[0]?.accepted, credited, 'the old pool keeps what it was credited');
  t.ok((after[1]?.accepted ?? 0) > 0, 'the new pool counts from zero');
  t.equal(
    after.reduce((sum, p) => sum + p.accepted, 0),
    miner.snapshot()?.accepted,
  );
  await pool('disablepool', '1');
  t.match(miner.state().pools, [{ enabled: true }, { enabled: false, active: false }, { active: true }]);
  t.match((await pool('addpool', 'stratum+tcp://extra.invalid:3333,user\\,with\\,commas,x')).status, {
    code: 55,
  });
  t.match(miner.state().pools[3], { url: 'stratum+tcp://extra.invalid:3333', user: 'user,with,commas' });
  await t.rejects(pool('removepool', '2'), { message: /Code 67: Cannot remove active pool 2/ });
  t.match((await pool('removepool', '0')).status, { code: 68 });
  t.equal(miner.state().pools.length, 3);
  await t.rejects(pool('switchpool', '9'), { message: /Code 26: Invalid pool id 9 - range is 0 - 2/ });
  await t.rejects(pool('switchpool', 'x'), { message: /Code 26/ });
  await t.rejects(pool('addpool', ''), { message: /Code 52: Missing addpool details/ });
  await t.rejects(pool('addpool', 'only-a-url'), { message: /Code 53/ });
});

t.test('the MM string packs the machine as Canaan prints it', async (t) => {
  const miner = await avalon(t);
  const text =
    (((await ask(miner, 'stats')).STATS as Array<Record<string, unknown>>)[0]?.['MM ID0'] as string) ?? '';
  t.match(text, /^Ver\[1246-\d{8}_\w+_\w+\] DNA\[/);
  t.match(text, /SYSTEMSTATU\[Work: In Work, Hash Board: 3 \]/);
  t.match(text, / PVT_T0\[ *\d+( +\d+){119}\] /, '120 chips a board on an AvalonMiner 1246');
});
