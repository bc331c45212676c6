import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SimulatorError } from './errors.js';

export interface FleetProcessOptions {
  /** Loopback block whose first `count` hosts the miners take, e.g. 127.1.0.0/16. */
  cidr: string;
  count: number;
  port?: number;
  seed?: number;
  /** Firmware shares, as `--mix` takes them (antminer:60,whatsminer:40). */
  mix?: string;
  /** Web CGI port of the stock Antminers (`--http-port`). */
  httpPort?: number;
  /** How long a reboot keeps a miner offline (`--reboot-ms`). */
  rebootMs?: number;
  /** Share of the miners, in whole percent, whose commands fail (`--control-fail-pct`). */
  controlFailPct?: number;
  /** How long to wait for "simulator ready" (default 120 s). */
  readyTimeoutMs?: number;
}

/** A fleet running in its own process, so a big fleet's CPU is not charged to the process under test. */
export interface FleetProcess {
  pid: number;
  /** SIGTERM, then waits for the process to end. */
  close(): Promise<void>;
}

/**
 * Starts the simulator's command line (`dist/cli.js`) in a child process and resolves once it says it is ready.
 * Rejects with SIMULATOR_LISTEN_FAILED and the child's stderr when it exits first (bad arguments, fd limit).
 */
export function startFleetProcess(options: FleetProcessOptions): Promise<FleetProcess> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const args = [cli, '--cidr', options.cidr, '--count', String(options.count)];
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  if (options.mix !== undefined) args.push('--mix', options.mix);
  if (options.httpPort !== undefined) args.push('--http-port', String(options.httpPort));
  if (options.rebootMs !== undefined) args.push('--reboot-ms', String(options.rebootMs));
  if (options.controlFailPct !== undefined) args.push('--control-fail-pct', String(options.controlFailPct));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new SimulatorError('SIMULATOR_LISTEN_FAILED', `fleet not ready within ${options.readyTimeoutMs} ms`),
      );
    }, options.readyTimeoutMs ?? 120_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes('simulator ready')) return;
      clearTimeout(timer);
      resolve({ pid: child.pid as number, close: () => stop(child, exited) });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new SimulatorError('SIMULATOR_LISTEN_FAILED', `simulator exited (${code}): ${stderr.trim()}`));
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}
