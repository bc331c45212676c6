// Argument handling of every subcommand, in-process (main.test.ts runs the real binary for the essentials).
import t from 'tap';
import { runCli } from './cli.js';
import { captureIo } from './io.js';

const COMMANDS = ['run', 'status', 'scan', 'doctor', 'enroll', 'print-config'];
/** Commands that read the agent's settings (scan takes everything from its arguments). */
const CONFIGURED = COMMANDS.filter((command) => command !== 'scan');

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { io, out } = captureIo({ HASHINSIGHT_DATA_DIR: '/nonexistent/hashinsight-cli-test', ...env });
  const code = await runCli(args, io);
  return { code, ...out };
}

t.test('unknown or malformed options exit 2 with the command usage', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--frobnicate'], /hashinsight-agent run: unknown argument "--frobnicate"/],
    [['run', '--print-config'], /run: unknown argument "--print-config"/],
    [['run', 'extra'], /run: unknown argument "extra"/],
    [['status', '--json=yes'], /status: --json takes no value/],
    [['status', '--json', '--json'], /status: --json is given twice/],
    [['status', '--config'], /status: --config needs a value <file>/],
    [['doctor', '--config', '--json'], /doctor: --config needs a value/],
    [['doctor', '-x'], /doctor: unknown argument "-x"/],
    [['doctor', '--', 'x'], /doctor: unknown argument "x"/],
    [['print-config', `--${'-'.repeat(10_000)}`], /print-config: unknown argument/],
    [['status', '--\u202ejson'], /status: unknown argument "--\\u202ejson"/],
    [['status', '--__proto__'], /status: unknown argument "--__proto__"/],
    [['status', '--toString'], /status: unknown argument "--toString"/],
  ];
  for (const [args, pattern] of cases) {
    const result = await cli(args);
    t.equal(result.code, 2, args.join(' ').slice(0, 40));
    t.match(result.stderr, pattern);
    t.match(
      result.stderr,
      new RegExp(`usage: hashinsight-agent ${args[0]?.startsWith('-') ? 'run' : args[0]}`),
    );
    t.ok(result.stderr.length < 400, 'a huge argument is not echoed whole');
    t.notMatch(result.stderr, /\u202e/);
    t.equal(result.stdout, '');
  }
});

t.test('unknown commands exit 2; help, -h and --version exit 0', async (t) => {
  for (const command of ['frobnicate', 'constructor', '__proto__', 'STATUS', '\u001b[2J']) {
    const result = await cli([command]);
    t.equal(result.code, 2, command);
    t.match(result.stderr, /^hashinsight-agent: unknown command /);
    t.notOk(result.stderr.includes('\u001b'), 'the escape character is spelled out');
  }
  for (const args of [['--help'], ['-h'], ['help']]) {
    const result = await cli(args);
    t.equal(result.code, 0);
    for (const command of COMMANDS) t.match(result.stdout, new RegExp(`\\n  ${command} `));
  }
  for (const command of COMMANDS) {
    const help = await cli([command, '--help']);
    t.equal(help.code, 0, command);
    t.match(help.stdout, new RegExp(`^usage: hashinsight-agent ${command}`));
    if (CONFIGURED.includes(command)) t.match(help.stdout, /--config <file>/);
    t.same(await cli([command, '-h']), help);
  }
  t.match((await cli(['--version'])).stdout, /^\d+\.\d+\.\d+\n$/);
});

t.test('a bad setting is exit 1 for every command that reads settings', async (t) => {
  // enroll checks its own required options first; a token never reaches a cloud here (the settings fail first).
  const needed: Record<string, string[]> = { enroll: ['--cloud', 'http://127.0.0.1:9', '--token', 't'] };
  for (const command of CONFIGURED) {
    const result = await cli([command, ...(needed[command] ?? [])], {
      HASHINSIGHT_AGENT_HEALTH_PORT: '99999',
    });
    t.equal(result.code, 1, command);
    t.match(
      result.stderr,
      new RegExp(`^hashinsight-agent ${command}: HASHINSIGHT_AGENT_HEALTH_PORT must be`),
    );
  }
  const missing = await cli(['print-config', '--config', 'nope.json']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /config file .*nope\.json does not exist/);
});
