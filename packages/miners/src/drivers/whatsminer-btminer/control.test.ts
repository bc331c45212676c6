import t from 'tap';
import { control } from '../../control.js';
import { CAPABILITIES, type ControlOperation, type MinerClients } from '../../driver.js';
import { MinerError, type MinerErrorCode } from '../../errors.js';
import { privilegedCommand } from './commands.js';
import { whatsminerBtminer } from './index.js';

t.test('each operation is the btminer command MicroBT documents', async (t) => {
  const table: Array<[ControlOperation, string, Record<string, string>]> = [
    [{ kind: 'reboot' }, 'reboot', {}],
    [{ kind: 'restart-mining' }, 'restart_btminer', {}],
    [{ kind: 'led', on: true }, 'set_led', { color: 'red', period: '2000', duration: '1000', start: '0' }],
    [{ kind: 'led', on: false }, 'set_led', { param: 'auto' }],
    [{ kind: 'power-mode', mode: 'low' }, 'set_low_power', {}],
    [{ kind: 'power-mode', mode: 'normal' }, 'set_normal_power', {}],
    [{ kind: 'power-mode', mode: 'high' }, 'set_high_power', {}],
    [{ kind: 'power-limit', watts: 3100 }, 'adjust_power_limit', { power_limit: '3100' }],
    [{ kind: 'sleep', asleep: true }, 'power_off', { respbefore: 'true' }],
    [{ kind: 'sleep', asleep: false }, 'power_on', {}],
  ];
  for (const [operation, cmd, params] of table) {
    t.same(privilegedCommand(operation), { cmd, params }, JSON.stringify(operation));
  }
});

t.test('set-pools fills the three slots, the unused ones empty', async (t) => {
  const pools = [
    { url: 'stratum+tcp://a.invalid:3333', user: 'rig.1', password: 'x' },
    { url: 'stratum+tcp://b.invalid:443', user: 'rig.2', password: 'p2' },
  ];
  t.same(privilegedCommand({ kind: 'set-pools', pools }), {
    cmd: 'update_pools',
    params: {
      pool1: 'stratum+tcp://a.invalid:3333',
      worker1: 'rig.1',
      passwd1: 'x',
      pool2: 'stratum+tcp://b.invalid:443',
      worker2: 'rig.2',
      passwd2: 'p2',
      pool3: '',
      worker3: '',
      passwd3: '',
    },
  });
});

/** Clients whose privileged channel fails with `code`, or succeeds; every command is recorded. */
function clients(code?: MinerErrorCode): { clients: MinerClients; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    clients: {
      ip: '10.0.0.1',
      cgminer: () => Promise.reject(new Error('control must not use the plain API')),
      btminer: async (cmd) => {
        sent.push(cmd);
        if (code !== undefined) throw new MinerError(code, `btminer '${cmd}': ${code}`);
        return { code: 131, msg: '' };
      },
    },
  };
}

t.test('declares every operation and sends each through the privileged channel', async (t) => {
  t.same([...whatsminerBtminer.capabilities].sort(), [...CAPABILITIES].sort());
  const { clients: c, sent } = clients();
  await control(whatsminerBtminer, c, { kind: 'sleep', asleep: true });
  await control(whatsminerBtminer, c, { kind: 'power-limit', watts: 3000 });
  t.same(sent, ['power_off', 'adjust_power_limit']);
});

t.test('a reboot or restart that drops the connection went through; nothing else does', async (t) => {
  for (const code of ['MINER_EMPTY_REPLY', 'MINER_CONNECTION_RESET'] as const) {
    await control(whatsminerBtminer, clients(code).clients, { kind: 'reboot' });
    await control(whatsminerBtminer, clients(code).clients, { kind: 'restart-mining' });
    await t.rejects(
      control(whatsminerBtminer, clients(code).clients, { kind: 'led', on: true }),
      { code },
      `led: ${code}`,
    );
  }
  await t.rejects(control(whatsminerBtminer, clients('MINER_TIMEOUT').clients, { kind: 'reboot' }), {
    code: 'MINER_TIMEOUT',
  });
  await t.rejects(control(whatsminerBtminer, clients('MINER_AUTH_FAILED').clients, { kind: 'reboot' }), {
    code: 'MINER_AUTH_FAILED',
  });
});

t.test('bad arguments and a missing channel fail before any command', async (t) => {
  const { clients: c, sent } = clients();
  await t.rejects(control(whatsminerBtminer, c, { kind: 'power-limit', watts: 5 }), {
    code: 'MINER_BAD_ARGUMENT',
  });
  t.same(sent, []);
  await t.rejects(control(whatsminerBtminer, { ip: '10.0.0.1', cgminer: c.cgminer }, { kind: 'reboot' }), {
    code: 'MINER_UNSUPPORTED',
  });
});
