import { type CommandSpec, parseOrExit } from './args.js';
import { CONFIG_OPTION, loadConfigOrExit } from './config-option.js';
import {
  type CheckResult,
  checkBroker,
  checkCloud,
  checkDisk,
  checkMiners,
  daemonStatus,
  readStore,
} from './doctor-checks.js';
import type { CliIo } from './io.js';
import { cell } from './table.js';

export const DOCTOR_SPEC: CommandSpec = {
  name: 'doctor',
  summary:
    'Check what the agent needs: broker reachable and login accepted, cloud reachable over HTTP, clock skew\n' +
    'against the cloud, outbox disk budget and free disk, miners answering. Each check is PASS, WARN or FAIL\n' +
    'with its reason; the exit code is 1 when any check FAILs.',
  options: {
    json: { type: 'boolean', description: 'print { ok, checks: [{ name, status, reason }] } as JSON' },
    config: CONFIG_OPTION,
  },
};

export async function runDoctorCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseOrExit(DOCTOR_SPEC, argv, io);
  if (typeof args === 'number') return args;
  const config = loadConfigOrExit('doctor', args.values.config, io);
  if (typeof config === 'number') return config;
  const store = readStore(config);
  const daemon = await daemonStatus(config);
  const identity: CheckResult = {
    name: 'config',
    status: 'PASS',
    reason:
      `agent ${config.agentId ?? daemon?.agentId ?? '(id generated on first run)'}, data in ${config.dataDir}` +
      `${store === undefined ? ' (no store yet)' : ''}${daemon === undefined ? '' : `, daemon running (health on ${config.healthPort})`}`,
  };
  const [broker, cloud, disk, miners] = await Promise.all([
    checkBroker(config, daemon),
    checkCloud(config),
    checkDisk(config, store),
    checkMiners(config, store),
  ]);
  const checks = [identity, broker, ...cloud, disk, miners];
  const failed = checks.filter((check) => check.status === 'FAIL').length;
  if (args.values.json) {
    io.stdout.write(`${JSON.stringify({ ok: failed === 0, checks }, null, 2)}\n`);
  } else {
    for (const check of checks)
      io.stdout.write(`${check.status}  ${check.name.padEnd(7)} ${cell(check.reason)}\n`);
    const warned = checks.filter((check) => check.status === 'WARN').length;
    io.stdout.write(
      `doctor: ${failed} failed, ${warned} warnings, ${checks.length - failed - warned} passed\n`,
    );
  }
  return failed === 0 ? 0 : 1;
}
