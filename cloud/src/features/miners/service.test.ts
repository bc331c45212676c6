import t from 'tap';
import { compareMiners, type MinerView, toMinerView } from './service.js';

const row = {
  id: 'm',
  agent_id: 'agent-1',
  ip: '',
  mac: '',
  serial: '',
  vendor: 'unknown',
  model: '',
  firmware: '',
  hostname: '',
  time_ms: null,
  status: null,
  hashrate_mhs: null,
  hashrate_avg_mhs: null,
  hashrate_expected_mhs: null,
  power_w: null,
  uptime_s: null,
  detail: null,
  poll_error: null,
};

t.test('miners sort by IP numerically, IPv4 before IPv6, no IP last, then by id', async (t) => {
  const view = (id: string, ip: string): MinerView => toMinerView({ ...row, id, ip });
  const sorted = [
    view('f', ''),
    view('e', '2001:db8::1'),
    view('d', '10.0.0.100'),
    view('c', '10.0.0.9'),
    view('b', '9.255.255.255'),
    view('a2', '10.0.0.9'),
  ].sort(compareMiners);
  t.same(
    sorted.map((miner) => miner.id),
    ['b', 'a2', 'c', 'd', 'e', 'f'],
  );
});

t.test('miners sort by agent first: the same IP and id at two sites stay apart', async (t) => {
  const view = (agentId: string, id: string, ip: string): MinerView =>
    toMinerView({ ...row, agent_id: agentId, id, ip });
  const sorted = [
    view('site-b', 'ip-10.0.0.5', '10.0.0.5'),
    view('site-a', 'ip-10.0.0.9', '10.0.0.9'),
    view('site-b', 'ip-10.0.0.1', '10.0.0.1'),
    view('site-a', 'ip-10.0.0.5', '10.0.0.5'),
  ].sort(compareMiners);
  t.same(
    sorted.map((miner) => [miner.agentId, miner.id]),
    [
      ['site-a', 'ip-10.0.0.5'],
      ['site-a', 'ip-10.0.0.9'],
      ['site-b', 'ip-10.0.0.1'],
      ['site-b', 'ip-10.0.0.5'],
    ],
  );
});

t.test('a miner without a sample yet reads as unknown with empty details', async (t) => {
  t.match(toMinerView(row), {
    status: 'unknown',
    hashrateMhs: null,
    hashrateThs: null,
    lastSampleAt: null,
    boards: [],
    pools: [],
    pollError: '',
  });
});

t.test('hashrate in TH/s keeps 3 decimals', async (t) => {
  const at = (mhs: number) => toMinerView({ ...row, hashrate_mhs: mhs }).hashrateThs;
  t.equal(at(110_566_890), 110.567);
  t.equal(at(95_000_000), 95);
  t.equal(at(499), 0);
});
