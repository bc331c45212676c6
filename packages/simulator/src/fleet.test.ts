import { cgminerCommand, MinerReader, readCgminerMiner, WebClient } from '@hashinsight/miners';
import { freePort, loopbackAllocator } from '@hashinsight/testkit';
import t from 'tap';
import { inShare, startFleet } from './fleet.js';

t.test('starts miners with models in turn, reads them all, closes them all', async (t) => {
  const ips = loopbackAllocator.take(3);
  const port = await freePort(ips[0]);
  const fleet = await startFleet({ ips, port, models: ['Antminer S19 Pro', 'Whatsminer M30S'], seed: 5 });
  t.same(
    fleet.miners.map((miner) => [miner.ip, miner.port, miner.model]),
    [
      [ips[0], port, 'Antminer S19 Pro'],
      [ips[1], port, 'Whatsminer M30S'],
      [ips[2], port, 'Antminer S19 Pro'],
    ],
  );
  const readings = await Promise.all(ips.map((ip) => readCgminerMiner(ip, { port })));
  t.same(
    readings.map((reading) => reading.hashrateMhs),
    fleet.miners.map((miner) => miner.hashrateMhs),
  );
  t.notSame(fleet.miners[0]!.snapshot(), fleet.miners[2]!.snapshot(), 'each miner has its own seed');
  await fleet.close();
  for (const ip of ips) {
    await t.rejects(
      cgminerCommand(ip, 'summary', undefined, { port }),
      { code: 'MINER_CONNECT_REFUSED' },
      ip,
    );
  }
});

t.test('if one miner cannot listen, none stays up', async (t) => {
  const [ip] = loopbackAllocator.take(1) as [string];
  const port = await freePort(ip);
  await t.rejects(startFleet({ ips: [ip, ip], port }), { code: 'SIMULATOR_LISTEN_FAILED' });
  await t.rejects(cgminerCommand(ip, 'summary', undefined, { port }), { code: 'MINER_CONNECT_REFUSED' });
});

t.test(
  'personalities in turn, each read by its own driver; web CGIs on the stock Antminers only',
  async (t) => {
    const ips = loopbackAllocator.take(4);
    const port = await freePort(ips[0]);
    const httpPort = await freePort(ips[0]);
    const fleet = await startFleet({
      ips,
      port,
      httpPort,
      personalities: ['antminer', 'luxos', 'avalon'],
      credentials: { username: 'ops', password: 'pw' },
      seed: 3,
    });
    t.teardown(() => fleet.close());
    t.same(
      fleet.miners.map((miner) => miner.personality),
      ['antminer', 'luxos', 'avalon', 'antminer'],
    );
    t.same(
      fleet.miners.map((miner) => miner.httpPort),
      [httpPort, undefined, undefined, httpPort],
    );
    const reader = new MinerReader({ port });
    for (const ip of ips) await reader.read(ip);
    t.same(
      ips.map((ip) => reader.driverOf(ip)?.id),
      ['antminer-stock', 'luxos', 'avalon-cgminer', 'antminer-stock'],
    );
    const web = new WebClient(ips[3]!, { port: httpPort, credentials: { username: 'ops', password: 'pw' } });
    t.match((await web.request('/cgi-bin/get_system_info.cgi')).json, { ipaddress: ips[3] });
  },
);

t.test(
  'controlFailPct: that share of the fleet, spread evenly, refuses commands from the start',
  async (t) => {
    t.same(
      Array.from({ length: 10 }, (_, i) => inShare(i, 20)),
      [false, false, false, false, true, false, false, false, false, true],
      '20 % of ten: two, apart',
    );
    t.equal(Array.from({ length: 1000 }, (_, i) => inShare(i, 7)).filter(Boolean).length, 70);
    const ips = loopbackAllocator.take(5);
    const port = await freePort(ips[0]);
    const fleet = await startFleet({ ips, port, controlFailPct: 40, rebootMs: 100 });
    t.teardown(() => fleet.close());
    t.same(
      fleet.miners.map((miner) => miner.fault),
      ['none', 'none', 'control-fails', 'none', 'control-fails'],
    );
  },
);
