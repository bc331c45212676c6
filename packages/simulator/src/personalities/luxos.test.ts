// LuxOS commanded the way LUXminer is: a session from `logon`, then curtail, ledset, profileset, rebootdevice.
import { cgminerCommand, MinerReader } from '@hashinsight/miners';
import { waitFor } from '@hashinsight/testkit';
import t from 'tap';
import { ask, started } from '../test/support.js';
import type { VirtualMiner } from '../virtual-miner.js';

const read = (miner: VirtualMiner) => new MinerReader({ port: miner.port }).read(miner.ip);
const command = (miner: VirtualMiner, name: string, parameter?: string) =>
  cgminerCommand(miner.ip, name, parameter, { port: miner.port });
async function logon(miner: VirtualMiner): Promise<string> {
  const reply = await command(miner, 'logon');
  const id = (reply.body.SESSION as Array<{ SessionID: string }>)[0]?.SessionID;
  if (id === undefined) throw new Error('no session id');
  return id;
}
const config = async (miner: VirtualMiner) =>
  ((await ask(miner, 'config')).CONFIG as Array<Record<string, unknown>>)[0];

t.test('one session at a time; privileged commands need its id', async (t) => {
  let now = Date.UTC(2025, 0, 1);
  const miner = await started(t, { personality: 'luxos', now: () => now });
  await t.rejects(command(miner, 'curtail', 'nosuchid,sleep'), { message: /Invalid session id/ });
  t.match((await command(miner, 'session')).body, { SESSION: [{ SessionID: '' }] });
  const reply = await command(miner, 'logon');
  t.match(reply.status, { code: 316, msg: 'Session created', description: /^LUXminer / });
  const id = (reply.body.SESSION as Array<{ SessionID: string }>)[0]?.SessionID ?? '';
  t.match(id, /^[\w-]{8}$/);
  await t.rejects(command(miner, 'logon'), { message: /Another session is active/ });
  t.match((await command(miner, 'session')).body, { SESSION: [{ SessionID: id }] });
  now += 50_000;
  await command(miner, 'ledset', `${id},red,blink`); // using the session keeps it alive
  now += 50_000;
  t.match((await command(miner, 'session')).body, { SESSION: [{ SessionID: id }] }, 'still alive');
  now += 61_000;
  t.match(
    (await command(miner, 'session')).body,
    { SESSION: [{ SessionID: '' }] },
    'expired after a minute idle',
  );
  await t.rejects(command(miner, 'ledset', `${id},red,off`), { message: /Invalid session id/ });
  const next = await logon(miner);
  t.match((await command(miner, 'logoff', next)).status, { code: 317 });
  await t.rejects(command(miner, 'curtail', `${next},sleep`), { message: /Invalid session id/ });
});

t.test('curtail sleeps and wakes, and the sleep survives a reboot', async (t) => {
  const miner = await started(t, { personality: 'luxos', rebootMs: 300 });
  const id = await logon(miner);
  const sleep = await command(miner, 'curtail', `${id},sleep`);
  t.match(sleep, {
    status: { code: 335, msg: 'Curtailment command sent' },
    body: { CURTAIL: [{ Action: 'sleep mode' }] },
  });
  t.match(await read(miner), { status: 'sleeping', hashrateMhs: 0 });
  t.match(await config(miner), { CurtailMode: 'Sleep', IsPowerSupplyOn: false });
  t.match((await command(miner, 'rebootdevice', id)).status, { letter: 'S' });
  await waitFor('the reboot to end', () => (miner.state().rebooting ? undefined : true));
  t.match(await read(miner), { status: 'sleeping', uptimeS: 0 }, 'LuxOS keeps curtailment across a reboot');
  const again = await logon(miner);
  t.match((await command(miner, 'curtail', `${again},wakeup`)).body, { CURTAIL: [{ Action: 'wake up' }] });
  t.match(await read(miner), { status: 'ok' });
});

t.test('ledset and profileset', async (t) => {
  const miner = await started(t, { personality: 'luxos', model: 'Antminer S19k Pro' });
  const id = await logon(miner);
  await command(miner, 'ledset', `${id},red,blink`);
  t.equal(miner.state().led, true);
  t.match(await config(miner), { RedLed: 'blink' });
  await command(miner, 'ledset', `${id},red,off`);
  t.match(await config(miner), { RedLed: 'off' });
  t.equal(miner.state().led, false);
  const normal = await read(miner);
  const profiles = ((await command(miner, 'profiles')).body.PROFILES as Array<Record<string, unknown>>).map(
    (profile) => profile['Profile Name'],
  );
  t.same(profiles, ['490MHz', 'default', '640MHz']);
  await command(miner, 'profileset', `${id},490MHz`);
  t.equal(miner.state().powerMode, 'low');
  const low = await read(miner);
  t.equal(low.status, 'ok', 'the rated rate follows the profile');
  t.ok(low.hashrateMhs < normal.hashrateMhs * 0.85);
  t.ok((low.powerW ?? 0) < (normal.powerW ?? 0) * 0.8);
  t.ok(
    Math.max(...low.boards.map((board) => board.boardTempC ?? 0)) <
      Math.min(...normal.boards.map((board) => board.boardTempC ?? 0)),
    'boards run cooler',
  );
  await command(miner, 'profileset', `${id},0,640MHz`);
  t.equal(miner.state().powerMode, 'high');
  for (const [name, parameter] of [
    ['ledset', `${id},blue,on`],
    ['ledset', `${id},red,dim`],
    ['curtail', `${id},nap`],
    ['profileset', `${id},999MHz`],
  ] as const) {
    await t.rejects(
      command(miner, name, parameter),
      { message: /Invalid parameters/ },
      `${name} ${parameter}`,
    );
  }
});

t.test('resetminer restarts mining without a reboot', async (t) => {
  let now = Date.UTC(2025, 0, 1);
  const miner = await started(t, { personality: 'luxos', now: () => now });
  now += 600_000;
  t.equal((await read(miner)).uptimeS, 600);
  await command(miner, 'resetminer', await logon(miner));
  t.equal((await read(miner)).uptimeS, 0);
  t.equal(miner.state().rebooting, false);
  t.match(
    (await command(miner, 'session')).body,
    { SESSION: [{ SessionID: '' }] },
    'the session went with it',
  );
});
