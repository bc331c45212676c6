// `npm start`: the whole system on one box with embedded defaults — a simulated fleet, the cloud (SQLite and its
// embedded MQTT broker) and one agent — each in its own process, as they would run in production.
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pretty from 'pino-pretty';

const root = resolve(import.meta.dirname, '..');
const env = process.env;
const dataDir = resolve(env.HASHINSIGHT_DATA_DIR || join(root, '.data'));
const httpHost = env.HASHINSIGHT_HTTP_HOST || '127.0.0.1';
const httpPort = env.HASHINSIGHT_HTTP_PORT || '8420';
const mqttPort = env.HASHINSIGHT_MQTT_PORT || '18830';
const fleetSize = env.HASHINSIGHT_SIM_COUNT || '20';
const fleetCidr = env.HASHINSIGHT_SIM_CIDR || '127.1.0.0/24';
const logs = pretty({
  colorize: process.stdout.isTTY,
  ignore: 'pid,hostname',
  translateTime: 'HH:MM:ss',
  singleLine: true,
});
const children: ChildProcess[] = [];
let stopping = false;

function run(
  name: string,
  script: string,
  args: string[],
  childEnv: Record<string, string>,
  hint = '',
): ChildProcess {
  const child = spawn(process.execPath, [join(root, script), ...args], {
    env: { ...env, ...childEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  for (const stream of [child.stdout, child.stderr]) {
    // pino JSON lines are pretty-printed; anything else (banners, errors) passes through as it is.
    createInterface({ input: stream }).on('line', (line) => logs.write(`${line}\n`));
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} exited (${signal ?? `code ${code}`}); stopping the rest.${hint && ` ${hint}`}`);
    stop(code || 1);
  });
  return child;
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolveLine) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = line.match(pattern);
      if (match) resolveLine(match);
    });
  });
}

function stop(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  const exited = children.map(
    (c) => new Promise((done) => (c.exitCode !== null ? done(null) : c.once('exit', done))),
  );
  void Promise.all(exited).then(() => process.exit(exitCode));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const simulator = run(
  'simulator',
  'packages/simulator/dist/cli.js',
  ['--count', fleetSize, '--cidr', fleetCidr],
  {},
  'If its addresses are taken, set HASHINSIGHT_SIM_CIDR to another loopback block (e.g. 127.2.0.0/24).',
);
const cloud = run('cloud', 'cloud/dist/main.js', [], {
  HASHINSIGHT_DATA_DIR: join(dataDir, 'cloud'),
  HASHINSIGHT_HTTP_HOST: httpHost,
  HASHINSIGHT_HTTP_PORT: httpPort,
  HASHINSIGHT_MQTT_PORT: mqttPort,
});
// The simulator's ready line names the addresses it took, e.g. "ready: 20 miners on 127.1.0.1-127.1.0.20". The
// cloud's banner (printed, never logged, whatever the log level) names the owner and, on first start only, the
// password it generated.
const [[, minerRange], [, email], [, passwordLine]] = await Promise.all([
  waitForLine(simulator, /ready.* on (\S+)/),
  waitForLine(cloud, /^\s+email:\s+(\S+)/),
  waitForLine(cloud, /^\s+password:\s+(.*)$/),
]);
const generated = passwordLine?.match(/^(\S+)\s+<- generated/)?.[1];
const password = generated ?? '<the password shown on first start; delete the data dir to start over>';
run('agent', 'agent/dist/main.js', [], {
  HASHINSIGHT_DATA_DIR: join(dataDir, 'agent'),
  HASHINSIGHT_AGENT_MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
  HASHINSIGHT_AGENT_MINERS: minerRange as string,
  HASHINSIGHT_AGENT_POLL_INTERVAL_MS: env.HASHINSIGHT_AGENT_POLL_INTERVAL_MS || '10000',
});

const url = `http://${httpHost}:${httpPort}`;
console.log(`
HashInsight is running: ${fleetSize} simulated miners -> agent -> cloud.
  Cloud API   ${url}   (health: ${url}/healthz)
  Demo login  ${email} / ${password}${generated ? '   (generated now, shown only this once)' : ''}
  Try         TOKEN=$(curl -s ${url}/api/auth/login -H 'content-type: application/json' \\
                -d '{"email":"${email}","password":"${password}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).data.accessToken')
              curl -s ${url}/api/miners -H "authorization: Bearer $TOKEN"
Press Ctrl+C to stop.
`);
