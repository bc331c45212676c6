import { hostname } from 'node:os';
import { enroll, IdentityError } from '../identity/index.js';
import { AGENT_VERSION } from '../version.js';
import { type CommandSpec, parseOrExit } from './args.js';
import { CONFIG_OPTION, loadConfigOrExit } from './config-option.js';
import type { CliIo } from './io.js';

export const ENROLL_SPEC: CommandSpec = {
  name: 'enroll',
  summary:
    "Enroll this box with the cloud: make the agent's keys here (private keys stay in <dataDir>/keys, 0600), " +
    'exchange the one-time token for the broker login and keep both in <dataDir>/identity.json (0600).',
  options: {
    cloud: { type: 'string', value: '<url>', description: "the cloud's URL, e.g. https://cloud.example.com" },
    token: {
      type: 'string',
      value: '<token>',
      description: 'the one-time enrollment token an admin created',
    },
    force: { type: 'boolean', description: 'enroll again as a new agent, replacing the identity and keys' },
    config: CONFIG_OPTION,
  },
};

/** `hashinsight-agent enroll --cloud <url> --token <token> [--force]`. Prints the agent id and site, never a secret. */
export async function runEnrollCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseOrExit(ENROLL_SPEC, argv, io);
  if (typeof args === 'number') return args;
  const { cloud, token, force } = args.values;
  if (typeof cloud !== 'string' || typeof token !== 'string') {
    io.stderr.write('hashinsight-agent enroll: --cloud <url> and --token <token> are both needed\n');
    return 2;
  }
  // The data dir as every other command finds it (--config, HASHINSIGHT_DATA_DIR, default).
  const config = loadConfigOrExit('enroll', args.values.config, io);
  if (typeof config === 'number') return config;
  try {
    const identity = await enroll({
      cloudUrl: cloud,
      token,
      dataDir: config.dataDir,
      hostname: hostname(),
      agentVersion: AGENT_VERSION,
      force: force === true,
    });
    io.stdout.write(
      `enrolled as agent ${identity.agentId} of site ${identity.siteId}\n` +
        `  broker    ${identity.mqtt.url}\n` +
        `  identity  ${config.dataDir}/identity.json (0600; holds the broker login)\n` +
        `  keys      ${config.dataDir}/keys/ (0700; private keys never leave this box)\n` +
        'Start the agent with `hashinsight-agent run`.\n',
    );
    return 0;
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    io.stderr.write(`hashinsight-agent enroll: ${error.message}\n`);
    return 1;
  }
}
