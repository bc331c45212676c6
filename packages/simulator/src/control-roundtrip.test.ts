// Every control operation a driver declares, sent by the real driver over the real transports to a virtual miner
// of its firmware, and checked where it lands: the miner's state, and what the driver reads back afterwards.
import {
  CAPABILITIES,
  type Capability,
  type ControlOperation,
  checkLogin,
  connectClients,
  control,
  type Driver,
  identify,
  type MinerClients,
  MinerError,
  type Reading,
} from '@hashinsight/miners';
import { loopbackAllocator, waitFor } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import type { PersonalityName } from './personalities/index.js';
import { VirtualMiner } from './virtual-miner.js';

const LOGIN = { username: 'root', password: 'root' };
const HOUR_MS = 3_600_000;
const REBOOT_MS = 300;

const NEW_POOLS = [
  { url: 'stratum+tcp://pool-a.invalid:3333', user: 'hashinsight.rig7', password: 'p00lsecret' },
  { url: 'stratum+tcp://pool-b.invalid:443', user: 'hashinsight.rig7b', password: 'x' },
];

/** One operation of each kind, with valid arguments, so a refusal can only be about the capability. */
const OPERATION: Readonly<Record<Capability, ControlOperation>> = {
  reboot: { kind: 'reboot' },
  'restart-mining': { kind: 'restart-mining' },
  'set-pools': { kind: 'set-pools', pools: NEW_POOLS },
  led: { kind: 'led', on: true },
  'power-mode': { kind: 'power-mode', mode: 'low' },
  'power-limit': { kind: 'power-limit', watts: 3000 },
  sleep: { kind: 'sleep', asleep: true },
  // 8 letters and digits: what every firmware here takes (btminer's limit).
  'set-login': { kind: 'set-login', username: 'root', password: 'n3wLogin' },
};

interface Case {
  personality: PersonalityName;
  driver: string;
  capabilities: Capability[];
  /** How the driver reads a sleeping miner: BOSminer's API cannot tell paused from stopped (braiins-os/parse.ts). */
  asleepStatus: Reading['status'];
  /** Firmware that sets only its first pool (Avalon `setpool`, applied by a reboot): how many it takes. */
  poolSlots?: number;
  /** Firmware that sets power in steps (VNish presets): the limit lands at most this far below the one asked. */
  powerStepW?: number;
  /** Operations that need no login (BOS `pause`/`resume` over the cgminer API). */
  withoutLogin?: Capability[];
}

const CASES: readonly Case[] = [
  {
    personality: 'antminer',
    driver: 'antminer-stock',
    capabilities: ['reboot', 'set-pools', 'led', 'sleep', 'set-login'],
    asleepStatus: 'sleeping',
  },
  {
    personality: 'avalon',
    driver: 'avalon-cgminer',
    capabilities: ['reboot', 'set-pools', 'led', 'sleep'],
    asleepStatus: 'sleeping',
    poolSlots: 1,
  },
  {
    personality: 'braiins',
    driver: 'braiins-os',
    capabilities: ['sleep', 'set-pools', 'reboot', 'restart-mining', 'led', 'power-limit'],
    asleepStatus: 'offline',
    withoutLogin: ['sleep'],
  },
  {
    personality: 'vnish',
    driver: 'vnish',
    capabilities: ['set-pools', 'sleep', 'restart-mining', 'reboot', 'led', 'power-limit'],
    asleepStatus: 'sleeping',
    powerStepW: 90,
  },
  {
    personality: 'luxos',
    driver: 'luxos',
    capabilities: ['reboot', 'restart-mining', 'led', 'sleep'],
    asleepStatus: 'sleeping',
  },
  {
    personality: 'whatsminer',
    driver: 'whatsminer-btminer',
    capabilities: [
      'reboot',
      'restart-mining',
      'set-pools',
      'led',
      'power-mode',
      'power-limit',
      'sleep',
      'set-login',
    ],
    asleepStatus: 'sleeping',
  },
];

interface Rig {
  /** Clients with another login, for the miner after a set-login. */
  connect(login: { username: string; password: string }): MinerClients;
  miner: VirtualMiner;
  clients: MinerClients;
  driver: Driver;
  /** Moves the miner's clock on, so uptime grows without waiting. */
  advance(ms: number): void;
  asleepStatus: Reading['status'];
  poolSlots?: number;
  powerStepW?: number;
}

/** A miner of the personality on its own loopback address, identified through the real transports. */
async function rig(t: Test, { personality, asleepStatus, poolSlots, powerStepW }: Case): Promise<Rig> {
  const [ip] = loopbackAllocator.take(1) as [string];
  let now = Date.UTC(2025, 5, 1);
  const miner = new VirtualMiner({
    ip,
    port: 0,
    httpPort: 0,
    personality,
    credentials: LOGIN,
    rebootMs: REBOOT_MS,
    now: () => now,
  });
  await miner.start();
  t.teardown(() => miner.close());
  const clients = connectClients(ip, {
    port: miner.port,
    // The web login is also the admin login some firmware wants inside a command (Avalon `setpool`) or derives
    // its keys from (Whatsminer's privileged API).
    web: { port: miner.httpPort ?? 80, credentials: LOGIN },
  });
  const { driver } = await identify(clients);
  return {
    connect: (login) =>
      connectClients(ip, { port: miner.port, web: { port: miner.httpPort ?? 80, credentials: login } }),
    miner,
    clients,
    driver,
    asleepStatus,
    ...(poolSlots === undefined ? {} : { poolSlots }),
    ...(powerStepW === undefined ? {} : { powerStepW }),
    advance: (ms) => (now += ms),
  };
}

function poolIds(pools: ReadonlyArray<{ url: string; user: string }>) {
  return pools.filter((pool) => pool.url !== '').map(({ url, user }) => ({ url, user }));
}

/** Each check runs the operation through `control()` and looks at the miner and at a fresh read. */
const CHECKS: Readonly<Partial<Record<Capability, (t: Test, rig: Rig) => Promise<void>>>> = {
  led: async (t, { miner, clients, driver }) => {
    await control(driver, clients, { kind: 'led', on: true });
    t.equal(miner.state().led, true, 'the LED is on');
    await control(driver, clients, { kind: 'led', on: false });
    t.equal(miner.state().led, false, 'the LED is off again');
  },

  sleep: async (t, { miner, clients, driver, asleepStatus }) => {
    await control(driver, clients, { kind: 'sleep', asleep: true });
    t.equal(miner.state().asleep, true, 'the miner sleeps');
    const asleep = await driver.read(clients);
    t.equal(asleep.status, asleepStatus, `and the driver reads it as ${asleepStatus}`);
    t.equal(asleep.hashrateMhs, 0, 'with no hashrate');
    await control(driver, clients, { kind: 'sleep', asleep: false });
    t.equal(miner.state().asleep, false, 'the miner woke up');
    const awake = await driver.read(clients);
    t.not(awake.status, 'sleeping', 'and the driver no longer reads it as sleeping');
    t.ok(awake.hashrateMhs > 0, 'it hashes again');
  },

  'set-pools': async (t, { miner, clients, driver, poolSlots }) => {
    const pools = NEW_POOLS.slice(0, poolSlots);
    await control(driver, clients, { kind: 'set-pools', pools });
    // Firmware that applies pools at boot reboots to take them.
    await waitFor('the miner up', () => (miner.state().rebooting ? undefined : true));
    // With slots, the pools after them stay as they were.
    const kept = <T>(list: T[]) => (poolSlots === undefined ? list : list.slice(0, poolSlots));
    const expected = poolIds(pools);
    t.same(kept(poolIds(miner.state().pools)), expected, 'the miner has exactly the new pools');
    t.same(
      kept(miner.state().pools).map((pool) => pool.password),
      pools.map((pool) => pool.password),
      'with their passwords',
    );
    t.same(kept(poolIds((await driver.read(clients)).pools)), expected, 'and the driver reads them back');
  },

  'power-mode': async (t, { miner, clients, driver }) => {
    await control(driver, clients, { kind: 'power-mode', mode: 'low' });
    t.equal(miner.state().powerMode, 'low', 'the miner runs in low power');
    await control(driver, clients, { kind: 'power-mode', mode: 'normal' });
    t.equal(miner.state().powerMode, 'normal', 'and back in normal');
  },

  'power-limit': async (t, { miner, clients, driver, powerStepW }) => {
    await control(driver, clients, { kind: 'power-limit', watts: 3000 });
    const limit = miner.state().powerLimitW ?? 0;
    if (powerStepW === undefined) t.equal(limit, 3000, 'the miner keeps the new power limit');
    else
      t.ok(limit <= 3000 && limit > 3000 - powerStepW, `the miner runs the preset just below (${limit} W)`);
  },

  'set-login': async (t, rig) => {
    const { clients, driver } = rig;
    const next = { username: LOGIN.username, password: 'n3wLogin' };
    await checkLogin(driver, clients);
    await control(driver, clients, { kind: 'set-login', ...next });
    await t.rejects(
      checkLogin(driver, rig.connect(LOGIN)),
      { code: 'MINER_AUTH_FAILED' },
      'the old login is refused',
    );
    await checkLogin(driver, rig.connect(next));
    t.pass('the new login opens the miner');
    // Back to the old login, with the new one, so the other checks keep theirs.
    await control(driver, rig.connect(next), { kind: 'set-login', ...LOGIN });
    await checkLogin(driver, clients);
  },

  'restart-mining': async (t, rig) => {
    const { miner, clients, driver } = rig;
    rig.advance(HOUR_MS);
    t.ok((await driver.read(clients)).uptimeS >= 3600, 'up for an hour');
    await control(driver, clients, { kind: 'restart-mining' });
    t.equal(miner.state().rebooting, false, 'the device keeps running');
    t.ok((await driver.read(clients)).uptimeS < 3600, 'the miner program started over');
  },

  reboot: async (t, rig) => {
    const { miner, clients, driver } = rig;
    rig.advance(HOUR_MS);
    t.ok((await driver.read(clients)).uptimeS >= 3600, 'up for an hour');
    await control(driver, clients, { kind: 'reboot' });
    t.equal(miner.state().rebooting, true, 'the miner goes down');
    const back = await waitFor(
      'the miner to answer after its reboot',
      () => driver.read(clients).catch(() => undefined),
      { timeoutMs: 5000 },
    );
    t.equal(miner.state().rebooting, false, 'the reboot is over');
    t.ok(back.uptimeS < 3600, `uptime started over (${back.uptimeS} s)`);
  },
};

for (const testCase of CASES) {
  const { personality, driver: driverId, capabilities } = testCase;
  t.test(`${personality}: every declared control operation lands on the miner`, async (t) => {
    const rig_ = await rig(t, testCase);
    t.equal(rig_.driver.id, driverId, `identified as ${driverId}`);
    t.same([...rig_.driver.capabilities].sort(), [...capabilities].sort(), 'declares what this test covers');
    // Reboot last: it ends LED and (for most firmware) sleep, which the other checks look at.
    const order = [...rig_.driver.capabilities].sort(
      (a, b) => Number(a === 'reboot') - Number(b === 'reboot'),
    );
    for (const capability of order) {
      const check = CHECKS[capability];
      if (check === undefined) {
        t.fail(`no round-trip check for ${capability}`);
        continue;
      }
      await t.test(capability, (t) => check(t, rig_));
    }
  });

  const declaresAll = CAPABILITIES.every((capability) => capabilities.includes(capability));
  const skip = declaresAll && `${driverId} declares every operation`;
  t.test(
    `${personality}: an undeclared operation is refused before it reaches the miner`,
    { skip },
    async (t) => {
      const { miner, clients, driver } = await rig(t, testCase);
      const undeclared = CAPABILITIES.filter((capability) => !driver.capabilities.includes(capability));
      t.ok(undeclared.length > 0, 'some operation is undeclared');
      const before = miner.state();
      for (const capability of undeclared) {
        await t.rejects(
          control(driver, clients, OPERATION[capability]),
          { name: 'MinerError', code: 'MINER_UNSUPPORTED' },
          capability,
        );
      }
      t.same(miner.state(), before, 'nothing changed');
    },
  );
}

// Antminer's web CGI checks the login; Whatsminer's btminer derives its privileged API's keys from it; BOS REST
// and VNish's web API refuse the token login.
for (const personality of ['antminer', 'whatsminer', 'braiins', 'vnish'] as const) {
  t.test(`${personality}: refused credentials change nothing`, async (t) => {
    const testCase = CASES.find((candidate) => candidate.personality === personality) as Case;
    const { miner, clients, driver } = await rig(t, testCase);
    await miner.setFault('wrong-password');
    const before = miner.state();
    for (const capability of driver.capabilities) {
      if (testCase.withoutLogin?.includes(capability)) continue;
      const error = await control(driver, clients, OPERATION[capability]).then(
        () => undefined,
        (error: unknown) => error,
      );
      t.ok(
        error instanceof MinerError && error.code === 'MINER_AUTH_FAILED',
        `${capability}: MINER_AUTH_FAILED`,
      );
      t.notMatch(
        String((error as Error | undefined)?.message),
        /p00lsecret/,
        `${capability}: no pool password`,
      );
    }
    t.same(miner.state(), before, 'nothing changed');
  });
}

// The control faults the command e2e tests rely on: refused commands fail with the firmware's own error reply, and
// ignored ones are acknowledged while nothing changes. Reads keep working under both.
// (Drivers that read back a confirmation, like BOS `locate`, already fail an ignored command themselves.)
for (const personality of ['antminer', 'whatsminer', 'avalon'] as const) {
  t.test(`${personality}: control-fails refuses and ignore-control does nothing`, async (t) => {
    const testCase = CASES.find((candidate) => candidate.personality === personality) as Case;
    const { miner, clients, driver } = await rig(t, testCase);
    const operations = driver.capabilities.map((capability): ControlOperation => {
      const operation = OPERATION[capability];
      return operation.kind === 'set-pools'
        ? { ...operation, pools: operation.pools.slice(0, testCase.poolSlots) }
        : operation;
    });
    const before = miner.state();
    await miner.setFault('control-fails');
    for (const operation of operations) {
      const error = await control(driver, clients, operation).then(
        () => undefined,
        (error: unknown) => error,
      );
      t.ok(
        error instanceof MinerError && !['MINER_UNSUPPORTED', 'MINER_AUTH_FAILED'].includes(error.code),
        `${operation.kind}: refused (${(error as MinerError | undefined)?.code})`,
      );
    }
    t.same(miner.state(), before, 'nothing changed');
    t.ok((await driver.read(clients)).hashrateMhs > 0, 'still read');
    await miner.setFault('ignore-control');
    for (const operation of operations) await control(driver, clients, operation);
    t.same(miner.state(), before, 'acknowledged, and still nothing changed');
  });
}

t.test('antminer: a refused reboot.cgi is not read as a reboot that went through', async (t) => {
  const testCase = CASES.find((candidate) => candidate.personality === 'antminer') as Case;
  const { miner, clients, driver } = await rig(t, testCase);
  await miner.setFault('control-fails');
  await t.rejects(control(driver, clients, { kind: 'reboot' }), { name: 'MinerError' });
  t.equal(miner.state().reboots, 0, 'no reboot');
});
