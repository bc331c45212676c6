import t from 'tap';
import type { MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import type { Reading } from '../../reading.js';
import { corpusMissing, corpusReply, recordedClients } from '../../test/recorded.js';
import { type CgminerReply, splitMultiReply } from '../../transports/cgminer/index.js';
import { cgminerGeneric } from '../cgminer-generic/index.js';
import { selectDriver } from '../index.js';
import { whatsminerBtminer } from '../whatsminer-btminer/index.js';
import { cases } from './cases.js';
import { avalonCgminer } from './index.js';

const recorded = (path: string): Promise<CgminerReply> =>
  recordedClients('10.0.0.1', { command: path }).clients.cgminer('command');

t.test(
  'three commands, one at a time: the MMs report the real-time rate, so no `summary`',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = recordedClients('10.0.0.1', cases[0]!.replies);
    await avalonCgminer.read(clients);
    t.same(sent, ['version', 'stats', 'pools']);
  },
);

/**
 * A miner answering from the members of a recorded multi-command reply, split as the transport splits one: what
 * the driver gets asking each command alone (cgminer builds both with the same code). Other commands are refused.
 */
function multiClients(raw: Buffer): { clients: MinerClients; sent: string[] } {
  const members = splitMultiReply(raw);
  const sent: string[] = [];
  const clients: MinerClients = {
    ip: '10.0.0.1',
    async cgminer(command) {
      sent.push(command);
      const member =
        members.get(command) ?? new MinerError('MINER_COMMAND_FAILED', 'Code 14: Invalid command');
      if (member instanceof MinerError) throw member;
      return member;
    },
  };
  return { clients, sent };
}

const a10xx: Reading = {
  ip: '10.0.0.1',
  vendor: 'canaan',
  model: 'unknown',
  firmware: '1047-20051101_85dc6f0_0332654',
  status: 'degraded',
  hashrateMhs: 32_247_417,
  hashrateExpectedMhs: 37_470_980,
  boards: [
    { index: 0, hashrateMhs: 12_362_610, chipTempC: 61, chips: 120, chipsExpected: 120 },
    { index: 1, hashrateMhs: 12_812_160, chipTempC: 64, chips: 120, chipsExpected: 120 },
  ],
  fansRpm: [2896, 2927],
  hashrateAvgMhs: 25_536_752,
  pools: [
    {
      url: 'stratum+tcp://sha256.mining-dutch.nl:9996',
      user: 'xxx',
      status: 'alive',
      active: true,
      priority: 0,
      accepted: 5,
      rejected: 0,
      stale: 0,
    },
    {
      url: 'stratum+tcp://sha256.antpool.com:3333',
      user: 'xxx',
      status: 'alive',
      active: false,
      priority: 1,
      accepted: 0,
      rejected: 0,
      stale: 0,
    },
    {
      url: 'stratum+tcp://sha256.mining-dutch.nl:9996',
      user: 'xxx',
      status: 'alive',
      active: false,
      priority: 2,
      accepted: 1,
      rejected: 0,
      stale: 0,
    },
  ],
  uptimeS: 155,
  errors: [
    { code: '512', message: 'hashboard 0: Avalon error code 512 (ECHU)' },
    { code: '512', message: 'hashboard 1: Avalon error code 512 (ECHU)' },
  ],
};

t.test(
  'A10xx (2020 MM, no GHSspd): `summary` is asked and its `MHS 30s` read; 86% of GHSmm is degraded',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = multiClients(corpusReply('avalon/multi.pools+summary+stats.a10xx.json'));
    t.same(await avalonCgminer.read(clients), a10xx);
    t.same(sent, ['version', 'stats', 'summary', 'pools']);
  },
);

t.test(
  'A10xx with a bare `nan` in summary: the member reads after repair (nan is 0), so offline',
  { skip: corpusMissing },
  async (t) => {
    const raw = corpusReply('avalon/multi.pools+summary+stats.a10xx-nan.invalid.json').toString('utf8');
    // As recorded, the joined reply also ends in a stray `"` after its closing brace: a typed bad reply as a whole.
    t.throws(() => splitMultiReply(Buffer.from(raw)), { name: 'MinerError', code: 'MINER_BAD_REPLY' });
    // The stray byte is outside every member, so a driver asking one command at a time never receives it.
    const { clients } = multiClients(Buffer.from(raw.slice(0, raw.lastIndexOf('}') + 1)));
    t.same(await avalonCgminer.read(clients), {
      ...a10xx,
      status: 'offline',
      hashrateMhs: 0,
      hashrateAvgMhs: 0,
    });
  },
);

t.test(
  'Avalon 7 (AUC chain, no real-time rate) whose `summary` is refused: the read fails',
  { skip: corpusMissing },
  async (t) => {
    const { clients, sent } = recordedClients('10.0.0.1', { stats: 'avalon/stats.a7xx.json' });
    await t.rejects(avalonCgminer.read(clients), { code: 'MINER_COMMAND_FAILED', message: /summary/ });
    t.same(sent, ['version', 'stats', 'summary']);
  },
);

t.test('connection failures are never taken for a refused command', async (t) => {
  const failing = (failAt: string): MinerClients => ({
    ip: '10.0.0.1',
    async cgminer(command) {
      if (command === failAt) throw new MinerError('MINER_TIMEOUT', `hung on ${command}`);
      throw new MinerError('MINER_COMMAND_FAILED', 'Code 14: Invalid command');
    },
  });
  await t.rejects(avalonCgminer.read(failing('version')), { code: 'MINER_TIMEOUT' });
  await t.rejects(avalonCgminer.read(failing('stats')), { code: 'MINER_TIMEOUT' });
});

t.test(
  'identification picks this driver for each case version reply and the Q devdetails',
  { skip: corpusMissing },
  async (t) => {
    const candidates = [avalonCgminer, cgminerGeneric, whatsminerBtminer];
    for (const testCase of cases) {
      if (testCase.replies.version === undefined) continue;
      const probe = { version: await recorded(testCase.replies.version) };
      t.equal(avalonCgminer.match(probe), 2, testCase.replies.version);
      t.equal(selectDriver(probe, candidates), avalonCgminer, testCase.replies.version);
    }
    t.equal(avalonCgminer.match({ devdetails: await recorded('avalon/devdetails.avalon-q.json') }), 2);
  },
);
