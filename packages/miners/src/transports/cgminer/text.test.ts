import t from 'tap';
import { corpusMissing, corpusReply } from '../../test/recorded.js';
import { decodeTextReply } from './text.js';

const wire = (text: string) => Buffer.from(`${text}\0`);

t.test('recorded text replies decode into the JSON shape', { skip: corpusMissing }, async (t) => {
  t.test('summary (cgminer 3.12): a bare SUMMARY opens the section', async (t) => {
    const reply = decodeTextReply(corpusReply('cgminer/summary.txt'), 'summary');
    t.same(reply.status, {
      letter: 'S',
      code: 11,
      msg: 'Summary',
      description: 'cgminer 3.12.0',
      when: 1393310324,
    });
    t.same(Object.keys(reply.body), ['SUMMARY']);
    const [summary] = reply.body.SUMMARY as [Record<string, unknown>];
    t.match(summary, {
      Elapsed: 567,
      'GHS 5s': 192.56,
      'Total MH': 109044924.6528,
      'Difficulty Accepted': 21504,
      'Best Share': 52075,
      'Last getwork': 1393310324,
    });
    t.equal(Object.keys(summary).length, 26, 'every field, and no SUMMARY field');
  });

  t.test('pools: POOL=n records go under POOLS, as in JSON', async (t) => {
    const reply = decodeTextReply(corpusReply('cgminer/pools.txt'), 'pools');
    t.equal(reply.status.msg, '3 Pool(s)');
    const pools = reply.body.POOLS as Record<string, unknown>[];
    t.equal(pools.length, 3);
    t.match(pools[0], {
      POOL: 0,
      URL: 'stratum+tcp://stratum.f2pool.com:25',
      Status: 'Alive',
      'Long Poll': 'N',
      'Last Share Time': '0:00:08',
      'Proxy Type': '',
      'Has Stratum': true,
      'Has GBT': false,
      'Difficulty Accepted': 127104,
    });
    t.same(
      pools.map((pool) => pool.URL),
      [
        'stratum+tcp://stratum.f2pool.com:25',
        'stratum+tcp://stratum.f2pool.com:3333',
        'http://50.31.149.57:3333',
      ],
    );
  });

  t.test('stats: only the first = of a field splits it', async (t) => {
    const stats = decodeTextReply(corpusReply('cgminer/stats.txt'), 'stats').body.STATS as Record<
      string,
      unknown
    >[];
    t.same(
      stats.map((s) => [s.STATS, s.ID]),
      [
        [0, 'BMM0'],
        [1, 'POOL0'],
        [2, 'POOL1'],
        [3, 'POOL2'],
      ],
    );
    t.match(stats[0], {
      chain_acs1: 'oooooooo oooooooo oooooooo oooooooo',
      chain_acs3: '',
      'USB Delay': 'r0 0.000000 w0 0.000000',
      'USB tmo': '2271686 50=36872/68/113/2301826/663696 100=6/120/166/704/108 500=0/0/0/0/0 ',
      'Device Hardware%': 0.2886,
      Min: 99999999,
    });
  });

  t.test('Avalon ascset replies: no trailing |, a multi-line Msg, STATUS I', async (t) => {
    const led = decodeTextReply(corpusReply('avalon/ascset_led_on.response.txt'), 'ascset');
    t.same(led, {
      status: { letter: 'S', code: 119, msg: 'ASC 0 set OK', description: 'cgminer 4.11.1', when: 18984 },
      body: {},
    });
    const pool = decodeTextReply(corpusReply('avalon/ascset_setpool.response.txt'), 'ascset');
    t.match(pool.status, { letter: 'I', code: 118, description: 'cgminer 4.11.1' });
    t.equal(
      pool.status.msg,
      'ASC 0 set info:\npool success set to stratum+tcp://btc.ss.poolin.com:443\nworker is cctrix.001\n' +
        'workerpassword is 123\nPlease reboot miner to make config work.\n',
    );
  });
});

t.test('escapes, types and section names', async (t) => {
  const escaped = decodeTextReply(
    wire("STATUS=S,When=1,Code=55,Msg=Added pool 'a\\,b\\|c\\=d\\\\e\\x',Description=cgminer|"),
  );
  t.equal(escaped.status.msg, "Added pool 'a,b|c=d\\e\\x'", 'escaped , | = \\; other backslashes kept');

  const typed = decodeTextReply(
    wire(
      'STATUS=S,When=1,Code=11,Msg=Summary,Description=d|SUMMARY,Best Share=18446744073709551615,' +
        'Safe=9007199254740991,Huge=1e999,Neg=-1.5e-3,Lead=007,Hex=0x1f,Word=true,Empty=,Bare|',
    ),
  );
  t.same(typed.body.SUMMARY, [
    {
      'Best Share': '18446744073709551615',
      Safe: 9007199254740991,
      Huge: '1e999',
      Neg: -0.0015,
      Lead: '007',
      Hex: '0x1f',
      Word: true,
      Empty: '',
      Bare: '',
    },
  ]);

  const device = 'STATUS=S,When=1,Code=9,Msg=1 ASC(s),Description=d|ASC=0,Name=AV10,Enabled=Y|';
  t.same(Object.keys(decodeTextReply(wire(device), 'devs').body), ['DEVS']);
  t.same(Object.keys(decodeTextReply(wire(device), 'asc').body), ['ASC']);
  t.same(decodeTextReply(wire(device), 'asc').body.ASC, [{ ASC: 0, Name: 'AV10', Enabled: 'Y' }]);

  const proto = decodeTextReply(wire('STATUS=S,When=1,Code=1,Msg=m,Description=d|__proto__,polluted=1|'));
  t.same(Object.keys(proto.body), ['__proto__'], 'an odd section name stays data');
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test('STATUS E or F is a failed command', async (t) => {
  t.throws(
    () => decodeTextReply(wire('STATUS=E,When=1,Code=14,Msg=Invalid command,Description=cgminer 3.12.0|')),
    {
      code: 'MINER_COMMAND_FAILED',
      message: 'STATUS E Code 14: Invalid command',
    },
  );
});

t.test('anything else is a bad reply', async (t) => {
  const bad = [
    '',
    'garbage',
    'SUMMARY,Elapsed=1|',
    'STATUS|',
    'STATUS=X,Code=1|',
    'STATUS=S,Code=11|STATUS=S,Code=11|',
    'CMD=summary|STATUS=S,Code=11|',
    '{"STATUS":[{"STATUS":"S"}]}',
  ];
  for (const text of bad) {
    t.throws(
      () => decodeTextReply(wire(text)),
      { name: 'MinerError', code: 'MINER_BAD_REPLY' },
      JSON.stringify(text),
    );
  }
});
