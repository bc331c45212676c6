import t from 'tap';
import type { MinerClients, Probe } from '../../driver.js';
import { MinerError } from '../../errors.js';
import { corpusMissing, recordedClients } from '../../test/recorded.js';
import type { CgminerReply } from '../../transports/cgminer/index.js';
import { cgminerGeneric } from '../cgminer-generic/index.js';
import { selectDriver } from '../index.js';
import { cases } from './cases.js';
import { whatsminerBtminer } from './index.js';

/** One recorded reply, decoded as the transport decodes it. */
const recorded = (path: string): Promise<CgminerReply> =>
  recordedClients('10.0.0.1', { command: path }).clients.cgminer('command');

t.test(
  'a hashing unit costs four commands, one per request; `status` is not asked',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = recordedClients('10.0.0.1', cases[0]!.replies);
    await whatsminerBtminer.read(clients);
    t.same(sent, ['summary', 'devs', 'pools', 'devdetails']);
  },
);

t.test(
  'a unit that refuses `summary` is asked `status`, and read as asleep',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = recordedClients('10.0.0.1', { status: 'whatsminer/status.sleeping.json' });
    t.match(await whatsminerBtminer.read(clients), { status: 'sleeping', hashrateMhs: 0 });
    t.same(sent, ['summary', 'status', 'devs', 'pools', 'devdetails']);
  },
);

t.test(
  'a refused `summary` that `status` does not explain fails the read',
  { skip: corpusMissing },
  async (t) => {
    const awake = recordedClients('10.0.0.1', { status: 'whatsminer/status.v1.json' });
    await t.rejects(whatsminerBtminer.read(awake.clients), {
      code: 'MINER_COMMAND_FAILED',
      message: /summary/,
    });
    t.same(awake.sent, ['summary', 'status'], 'btmineroff "false": not asleep, nothing more is asked');
    // Older cgminer-based firmware refuses btminer's own commands (recorded: Code 24 to a {"cmd":..} request).
    const old = recordedClients('10.0.0.1', { status: 'whatsminer/error.missing-command.json' });
    await t.rejects(whatsminerBtminer.read(old.clients), {
      code: 'MINER_COMMAND_FAILED',
      message: /summary/,
    });
  },
);

t.test(
  "M20S summary with an invalid \\' escape: a typed bad reply, nothing guessed",
  { skip: corpusMissing },
  async (t) => {
    // The transport does not repair `\'` (not JSON): the read fails as MINER_BAD_REPLY, which sends the miner back
    // through identification; repairing it belongs to transports/cgminer/repair.ts.
    const { clients, sent } = recordedClients('10.0.0.1', {
      summary: 'whatsminer/summary.m20s.invalid-escape.json',
      devs: 'whatsminer/devs.m20s.json',
    });
    await t.rejects(whatsminerBtminer.read(clients), { name: 'MinerError', code: 'MINER_BAD_REPLY' });
    t.same(sent, ['summary']);
  },
);

t.test('connection failures are never taken for a refused command', async (t) => {
  const failing = (failAt: string): MinerClients => ({
    ip: '10.0.0.1',
    async cgminer(command) {
      if (command === failAt) throw new MinerError('MINER_CONNECTION_RESET', `reset on ${command}`);
      throw new MinerError('MINER_COMMAND_FAILED', 'Code 14: Invalid command');
    },
  });
  await t.rejects(whatsminerBtminer.read(failing('summary')), { code: 'MINER_CONNECTION_RESET' });
  await t.rejects(whatsminerBtminer.read(failing('status')), { code: 'MINER_CONNECTION_RESET' });
});

// The corpus has no Whatsminer `version` or `devdetails` reply. The probes below are built from what is recorded:
// the STATUS of the M31S's `summary` (cgminer's Description is the same in every reply of one miner) and the
// devdetails records of asic-rs's Whatsminer identification test.
const versionProbe = (description: string): Probe => ({
  version: {
    status: { letter: 'S', code: 22, msg: 'CGMiner versions', description, when: 0 },
    body: { VERSION: [{ CGMiner: '4.9.2', API: '3.7' }] },
  },
});
const devdetails: CgminerReply = {
  status: { letter: 'S', code: 69, msg: 'Device Details', description: 'cgminer 4.9.2', when: 0 },
  body: {
    DEVDETAILS: [0, 1, 2].map((id) => ({
      DEVDETAILS: id,
      Name: 'SM',
      ID: id,
      Driver: 'bitmicro',
      Kernel: '',
      Model: 'M30S+_VE40',
    })),
  },
};

t.test(
  'identification: btminer from `version`, older firmware from `devdetails`',
  { skip: corpusMissing },
  async (t) => {
    const candidates = [whatsminerBtminer, cgminerGeneric];
    const btminer = versionProbe((await recorded('whatsminer/summary.m31s.json')).status.description);
    t.equal(whatsminerBtminer.match(btminer), 2);
    t.equal(selectDriver(btminer, candidates), whatsminerBtminer);
    const old = versionProbe((await recorded('whatsminer/summary.v1.json')).status.description);
    t.equal(whatsminerBtminer.match(old), 0, '"cgminer 4.9.2" alone is not enough');
    t.equal(selectDriver(old, candidates), cgminerGeneric, 'below 2, so identification asks devdetails');
    t.equal(selectDriver({ ...old, devdetails }, candidates), whatsminerBtminer);
  },
);
