// A private Mosquitto for tests: the shipped infra/mosquitto config and dynsec init script (the caller says
// where that folder is: testkit knows no app), on a free loopback port with its dynsec file in a temp dir,
// never the system broker on 1883.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { freePort } from './ports.js';
import { tempDir } from './temp.js';
import { waitFor } from './wait.js';

const MOSQUITTO = '/usr/sbin/mosquitto';

/** Why Mosquitto tests cannot run here, or undefined when they can. */
export const mosquittoMissing: string | undefined = existsSync(MOSQUITTO)
  ? undefined
  : `${MOSQUITTO} is not installed`;

export interface PrivateMosquitto {
  port: number;
  /** MQTT_URL for a cloud instance: the service login init-dynsec.sh created. */
  cloudUrl: string;
}

function accepts(port: number): Promise<true | undefined> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      done(true);
    });
    socket.once('error', () => done(undefined));
    socket.once('close', () => socket.destroy());
  });
}

/** Starts Mosquitto configured from `infraDir` (infra/mosquitto) for the rest of `t`, stopped at its teardown. */
export async function startMosquitto(t: Test, infraDir: string): Promise<PrivateMosquitto> {
  const INFRA = infraDir;
  const dir = tempDir(t);
  const cloudUser = 'hashinsight-cloud';
  const cloudPassword = 'cloud-service-password-for-tests';
  const dynsec = join(dir, 'dynamic-security.json');
  await promisify(execFile)(join(INFRA, 'init-dynsec.sh'), [dynsec, cloudUser], {
    env: { ...process.env, MQTT_CLOUD_PASSWORD: cloudPassword },
  });
  const port = await freePort();
  const shipped = await readFile(join(INFRA, 'mosquitto.conf'), 'utf8');
  const config = shipped
    .replace(/^listener .*$/m, `listener ${port} 127.0.0.1`)
    .replace(/^plugin_opt_config_file .*$/m, `plugin_opt_config_file ${dynsec}`)
    // Run as root (CI containers), Mosquitto would switch to its own user, who cannot write the temp dir.
    .concat(process.getuid?.() === 0 ? '\nuser root\n' : '\n');
  await writeFile(join(dir, 'mosquitto.conf'), config);
  const child = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  t.teardown(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  // Up once a TCP connection is accepted (an MQTT refusal would look the same as "not up yet").
  await waitFor('mosquitto listening', () => accepts(port));
  return { port, cloudUrl: `mqtt://${cloudUser}:${cloudPassword}@127.0.0.1:${port}` };
}
