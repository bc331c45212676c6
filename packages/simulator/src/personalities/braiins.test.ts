// Braiins OS commanded over BOSminer's cgminer API: pause/resume and the pool commands.
import { cgminerCommand, MinerReader } from '@hashinsight/miners';
import t from 'tap';
import { started } from '../test/support.js';

t.test('pause stops mining, resume starts it again', async (t) => {
  const miner = await started(t, { personality: 'braiins' });
  const reader = new MinerReader({ port: miner.port });
  const command = (name: string, parameter?: string) =>
    cgminerCommand(miner.ip, name, parameter, { port: miner.port });
  const paused = await command('pause');
  t.match(paused, {
    status: { code: 204, msg: 'Pause', description: /^BOSminer\+ / },
    body: { PAUSE: [true] },
  });
  t.equal(miner.state().asleep, true);
  // Pausing has no read-back over this API, so the driver reads a paused miner as offline.
  t.match(await reader.read(miner.ip), { status: 'offline', hashrateMhs: 0 });
  t.match(await command('resume'), { status: { code: 205 }, body: { RESUME: [true] } });
  t.match(await reader.read(miner.ip), { status: 'ok' });
  t.match((await command('switchpool', '2')).status, { code: 27 });
  t.same(
    (await reader.read(miner.ip)).pools.map((pool) => pool.active),
    [false, false, true],
  );
});
