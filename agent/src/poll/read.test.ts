// Polls open a miner's sealed login only for drivers that read through one (none today: all read over the
// cgminer API), and then only for that read.
import { driverById } from '@hashinsight/miners';
import { VirtualMiner } from '@hashinsight/simulator';
import { freePort, loopbackAllocator } from '@hashinsight/testkit';
import type { MinerLogin } from '@hashinsight/vault';
import t from 'tap';
import { driverReader } from './read.js';

t.test('a login is opened per read only when the driver reads through one', async (t) => {
  const [ip] = loopbackAllocator.take(1) as [string];
  const port = await freePort(ip);
  const miner = new VirtualMiner({ ip, port });
  await miner.start();
  t.teardown(() => miner.close());
  const opened: string[] = [];
  const logins = {
    withLogin<T>(
      minerId: string,
      _driverId: string | undefined,
      call: (login: MinerLogin | undefined) => Promise<T>,
    ): Promise<T> {
      opened.push(minerId);
      return call({ username: 'root', password: 'root' });
    },
  };
  const read = driverReader({ timeoutMs: 2000 }, { logins, webPort: 80 });
  const target = { minerId: 'm1', ip, port, driver: 'antminer-stock' };
  t.equal((await read(target)).driver, 'antminer-stock');
  t.same(opened, [], 'stock Antminer reads over the cgminer API: no login opened');

  const driver = driverById('antminer-stock')!;
  driver.readsWithLogin = true;
  t.teardown(() => {
    delete driver.readsWithLogin;
  });
  await read(target);
  await read(target);
  t.same(opened, ['m1', 'm1'], 'a driver that reads through a login gets it for each read');
});
