import t from 'tap';
import { parseCliArgs } from './args.js';

t.test('defaults', async (t) => {
  const options = parseCliArgs([]);
  t.equal(options.hosts.length, 10);
  t.match(options, { help: false, port: 4028, seed: 1, hosts: ['127.1.0.1'] });
});

t.test('flags', async (t) => {
  t.same(parseCliArgs(['--count', '2', '--cidr', '127.9.0.0/24', '--port', '14028', '--seed=7']), {
    help: false,
    hosts: ['127.9.0.1', '127.9.0.2'],
    port: 14028,
    seed: 7,
  });
  t.equal(parseCliArgs(['-h']).help, true);
  t.match(parseCliArgs(['--mix', 'antminer:60, whatsminer:25,avalon:10,braiins:5', '--http-port', '8080']), {
    mix: { antminer: 60, whatsminer: 25, avalon: 10, braiins: 5 },
    httpPort: 8080,
  });
  t.same(parseCliArgs(['--mix', 'luxos:100']).mix, { luxos: 100 });
  t.same(parseCliArgs(['--mix', 'vnish:100,avalon:0']).mix, { vnish: 100, avalon: 0 });
  t.match(parseCliArgs(['--reboot-ms', '250', '--control-fail-pct', '10']), {
    rebootMs: 250,
    controlFailPct: 10,
  });
  t.throws(() => parseCliArgs(['--control-fail-pct', '101']), { code: 'SIMULATOR_BAD_ARGS' });
  t.throws(() => parseCliArgs(['--reboot-ms', '-5']), { code: 'SIMULATOR_BAD_ARGS' });
});

t.test('bad flags name themselves', async (t) => {
  const bad: Array<[string[], RegExp]> = [
    [['--count', '0'], /--count must be an integer from 1/],
    [['--count', 'ten'], /--count must be an integer/],
    [['--count', '2.5'], /--count must be an integer/],
    [['--port', '70000'], /--port must be an integer from 1 to 65535/],
    [['--seed', '-1'], /--seed/],
    [['--cidr', '192.168.1.0/24'], /^simulator only binds loopback addresses \(127\.0\.0\.0\/8\)$/],
    [['--mix', 'stock'], /^--mix entries are firmware:percent, not "stock"$/],
    [['--mix', 'antminer:60,whatsminer:30'], /^--mix percentages must add up to 100, not 90$/],
    [['--mix', 'antminer:60,bitaxe:40'], /^--mix: unknown firmware "bitaxe" \(known: antminer, whatsminer/],
    [['--mix', 'antminer:50,antminer:50'], /^--mix names antminer twice$/],
    [['--mix', 'antminer:-10,avalon:110'], /^--mix entries are firmware:percent/],
    [['--mix', ''], /^--mix entries are firmware:percent/],
    [['--http-port', '0'], /^--http-port must be an integer from 1 to 65535, not 0$/],
    [['--http-port', '4028'], /^--http-port must differ from --port \(4028\)$/],
    [['--unknown'], /Unknown option '--unknown'/],
    [['extra'], /positional/],
  ];
  for (const [argv, message] of bad) {
    t.throws(
      () => parseCliArgs(argv),
      { name: 'SimulatorError', code: 'SIMULATOR_BAD_ARGS', message },
      argv.join(' '),
    );
  }
});
