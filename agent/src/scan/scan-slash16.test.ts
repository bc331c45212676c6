import { availableParallelism } from 'node:os';
import { openFileLimit, startFleetProcess } from '@hashinsight/simulator';
import { loopbackAllocator, tempDir } from '@hashinsight/testkit';
import t from 'tap';
import { Inventory } from '../inventory/index.js';
import { AgentStore } from '../store/index.js';
import { scan } from './index.js';

// The acceptance test: a /16 holding 5,000 simulated miners is scanned, and every miner is found and
// identified. The miners take the first 5,000 addresses of this process's own 127.N.0.0/16 block, served by the
// simulator in a child process and probed from one thread per core; the other 60,534 addresses refuse at once. How long it
// takes is a benchmark (npm run bench -- agent), not asserted here.
const MINERS = 5000;
const CONCURRENCY = 512;
const THREADS = availableParallelism();
const needed = (THREADS + 1) * CONCURRENCY + 256;
const limit = openFileLimit() ?? 0;

t.test(
  'scan of a /16 finds and identifies all 5,000 miners',
  { skip: limit < needed && `open-file limit ${limit} < ${needed}: ulimit -n ${needed}` },
  async (t) => {
    const ips = loopbackAllocator.take(MINERS);
    const block = `${ips[0]?.split('.').slice(0, 2).join('.')}.0.0/16`;
    const fleet = await startFleetProcess({ cidr: block, count: MINERS, seed: 16 });
    t.teardown(() => fleet.close());
    const store = new AgentStore(tempDir(t));
    t.teardown(() => store.close());
    const inventory = new Inventory(store.db);

    const started = Date.now();
    const result = await scan({
      targets: [block],
      concurrency: CONCURRENCY,
      threads: THREADS,
      timeoutMs: 10_000,
      inventory,
    });
    t.comment(
      `${block}: ${result.probed} addresses, ${result.miners.length} miners in ${Date.now() - started} ms`,
    );

    t.equal(result.probed, 65_534, 'every host address of the /16 probed');
    t.same(result.unidentified, [], 'nothing answered without being identified');
    t.same(
      result.miners.map((miner) => miner.ip),
      ips,
      'all miners found, in address order',
    );
    const identified = result.miners.filter(
      (found) =>
        found.driver === 'antminer-stock' &&
        found.minerId === found.reading.serial &&
        found.reading.model === 'Antminer S19 Pro' &&
        found.reading.firmware !== '' &&
        found.reading.hashrateMhs > 0,
    );
    t.equal(
      identified.length,
      MINERS,
      'each identified by its driver, with serial, model, firmware and hashrate',
    );
    t.equal(new Set(result.miners.map((miner) => miner.minerId)).size, MINERS, 'as 5,000 different miners');
    t.equal(inventory.list().length, MINERS, 'all recorded in the inventory');
  },
);
