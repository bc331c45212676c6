// `npm start`: the whole system on one box with embedded defaults — a simulated fleet, the cloud (SQLite and its
// embedded MQTT broker) and one agent — each in its own process, as they would run in production.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { AGENT_VERSION, enroll, IdentityError, loadIdentity } from '@hashinsight/agent';
import pretty from 'pino-pretty';

const root = resolve(import.meta.dirname, '..');
const env = process.env;
const dataDir = resolve(env.HASHINSIGHT_DATA_DIR || join(root, '.data'));
const httpHost = env.HASHINSIGHT_HTTP_HOST || '127.0.0.1';
const httpPort = env.HASHINSIGHT_HTTP_PORT || '8420';
const mqttPort = env.HASHINSIGHT_MQTT_PORT || '18830';
const fleetSize = env.HASHINSIGHT_SIM_COUNT || '20';
const fleetCidr = env.HASHINSIGHT_SIM_CIDR || '127.1.0.0/24';
// The simulated Antminers also serve their web CGI (reboot, LED, pools go through it), on every miner's own address.
const fleetWebPort = env.HASHINSIGHT_SIM_WEB_PORT || '18080';
/** The login the simulated Antminers ship with (as a real stock Antminer's root/root). */
const SIMULATED_WEB_LOGIN = { username: 'root', password: 'root' };
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
  ['--count', fleetSize, '--cidr', fleetCidr, '--http-port', fleetWebPort],
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
  waitForLine(simulator, /ready: \d+ miners? on (\S+)/),
  waitForLine(cloud, /^\s+email:\s+(\S+)/),
  waitForLine(cloud, /^\s+password:\s+(.*)$/),
]);
const generated = passwordLine?.match(/^(\S+)\s+<- generated/)?.[1];
const password = generated ?? '<the password shown on first start; delete the data dir to start over>';
const url = `http://${httpHost}:${httpPort}`;

/** Asks the cloud for `path` as the owner; throws with the cloud's error code on anything but success. */
async function api<T>(
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json()) as { success: boolean; data: T; code?: string };
  if (!body.success) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${body.code}`);
  return body.data;
}

const agentDataDir = join(dataDir, 'agent');

/**
 * Enrolls the agent the way a technician does (`hashinsight-agent enroll`): a one-time token for the first site,
 * created as the owner, exchanged by the agent's own enroll, which makes its keys in its data dir. Later starts find
 * the identity there, when the owner password is no longer known to this script. Returns the environment the agent
 * needs beyond its identity: none, except for a data dir enrolled by an older version (agent-login.json).
 */
async function enrollAgent(): Promise<Record<string, string>> {
  try {
    loadIdentity(agentDataDir);
    return {};
  } catch (error) {
    if (!(error instanceof IdentityError) || error.code !== 'IDENTITY_MISSING') throw error;
  }
  const legacy = await readFile(join(dataDir, 'agent-login.json'), 'utf8').catch(() => undefined);
  if (legacy !== undefined) {
    const login = JSON.parse(legacy) as { agentId: string; password: string };
    // Passed in the environment of the agent only, never printed or logged.
    return {
      HASHINSIGHT_AGENT_ID: login.agentId,
      HASHINSIGHT_AGENT_MQTT_USERNAME: login.agentId,
      HASHINSIGHT_AGENT_MQTT_PASSWORD: login.password,
    };
  }
  const ownerPassword = generated ?? env.HASHINSIGHT_BOOTSTRAP_PASSWORD;
  if (!ownerPassword) {
    throw new Error(
      `the agent in ${agentDataDir} is not enrolled and there is no owner password to enroll it: delete ${dataDir} to start over`,
    );
  }
  const { accessToken } = await api<{ accessToken: string }>('/api/auth/login', {
    method: 'POST',
    body: { email, password: ownerPassword },
  });
  const { sites } = await api<{ sites: { id: string }[] }>('/api/sites', { token: accessToken });
  const siteId = sites[0]?.id;
  if (siteId === undefined) throw new Error('the cloud has no site to enroll the agent in');
  const { token } = await api<{ token: string }>(`/api/sites/${siteId}/enrollment-tokens`, {
    method: 'POST',
    token: accessToken,
    body: {},
  });
  // The site's default web login, so remote commands (reboot, LED, pools) work on the simulated fleet from the
  // console at once; it goes into the vault like any operator-entered credential.
  await api('/api/credentials', {
    method: 'PUT',
    token: accessToken,
    body: { scope: { kind: 'site', siteId }, purpose: 'web', ...SIMULATED_WEB_LOGIN },
  });
  await enroll({
    cloudUrl: url,
    token,
    dataDir: agentDataDir,
    hostname: 'npm-start',
    agentVersion: AGENT_VERSION,
  });
  return {};
}

let agentEnv: Record<string, string>;
try {
  agentEnv = await enrollAgent();
} catch (error) {
  console.error(`\nCould not enroll the agent: ${(error as Error).message}; stopping.`);
  stop(1);
  await new Promise(() => undefined); // stop() exits once the children are gone
  throw error;
}
// The agent reads its id, broker URL and login from the identity its enroll left in its data dir.
run('agent', 'agent/dist/main.js', [], {
  ...agentEnv,
  HASHINSIGHT_DATA_DIR: agentDataDir,
  HASHINSIGHT_AGENT_MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
  HASHINSIGHT_AGENT_MINERS: minerRange as string,
  HASHINSIGHT_AGENT_MINER_WEB_PORT: fleetWebPort,
  HASHINSIGHT_AGENT_POLL_INTERVAL_MS: env.HASHINSIGHT_AGENT_POLL_INTERVAL_MS || '10000',
});

console.log(`
  Console     ${url}/   (log in with the demo login below)
  Demo login  ${email} / ${password}${generated ? '   (generated now, shown only this once)' : ''}
  API docs    ${url}/docs   (health: ${url}/healthz)
HashInsight is running: ${fleetSize} simulated miners -> agent -> cloud. Press Ctrl+C to stop.
`);
