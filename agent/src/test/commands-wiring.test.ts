// The daemon's command path as agent.ts wires it: an enrolled agent (identity from `enroll`, settings from its
// identity.json) subscribes its CommandExecutor through the sync, so a message on its command topic is judged and
// journaled; an agent without an identity runs without commands; a broken identity stops `run` before it opens the
// store.

import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { agentTopic } from '@hashinsight/protocol';
import { startTestBroker, tempDir, waitFor } from '@hashinsight/testkit';
import { generateKeyPair } from '@hashinsight/vault';
import mqtt from 'mqtt';
import pino from 'pino';
import t, { type Test } from 'tap';
import { startAgent } from '../agent.js';
import { runEnrollCommand } from '../cli/enroll.js';
import { captureIo } from '../cli/io.js';
import { runRunCommand } from '../cli/run.js';
import { loadAgentConfig } from '../config/index.js';

const silent = pino({ level: 'silent' });

/** A loopback stand-in for the cloud's enrollment API that hands out a login on `brokerUrl`. */
async function enrolled(t: Test, brokerUrl: string): Promise<string> {
  const cloudKey = generateKeyPair('ed25519');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          success: true,
          data: {
            agentId: 'agent-wired',
            siteId: 'site-1',
            mqtt: { url: brokerUrl, username: 'agent-wired', password: 'broker-password-0123456789' },
            commandKeys: [{ keyId: cloudKey.keyId, publicKey: cloudKey.publicKey }],
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const dataDir = join(tempDir(t), 'agent');
  const { io, out } = captureIo({ HASHINSIGHT_DATA_DIR: dataDir });
  const cloud = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.equal(await runEnrollCommand(['--cloud', cloud, '--token', `hie_${'T'.repeat(43)}`], io), 0, out.stderr);
  return dataDir;
}

t.test('an enrolled agent judges and journals what arrives on its command topic', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const dataDir = await enrolled(t, broker.url);
  const config = loadAgentConfig({ HASHINSIGHT_DATA_DIR: dataDir, HASHINSIGHT_AGENT_HEALTH_PORT: '0' });
  t.equal(config.agentId, 'agent-wired', 'identity.json names the agent');
  t.equal(config.mqttUrl, broker.url, 'and its broker');
  const agent = startAgent(config, silent);
  t.teardown(() => agent.stop());
  t.ok(agent.commands, 'commands are on');
  await waitFor('the agent connected', () => (agent.sync.isConnected ? true : undefined));

  const cloud = await mqtt.connectAsync(broker.url, { clientId: 'cloud-test' });
  t.teardown(() => cloud.endAsync());
  // Not a signed command: refused, but journaled as a refusal, which proves the executor got it through the sync.
  await cloud.publishAsync(agentTopic('agent-wired', 'command'), Buffer.from('not a command'), { qos: 1 });
  const refusal = await waitFor('the refusal journaled', () =>
    agent.store.db.prepare<[], { code: string }>('SELECT code FROM command_refusal').get(),
  );
  t.match(refusal.code, /^COMMAND_/);
});

t.test('without an identity the agent runs without commands', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const agent = startAgent(
    loadAgentConfig({
      HASHINSIGHT_DATA_DIR: tempDir(t),
      HASHINSIGHT_AGENT_MQTT_URL: broker.url,
      HASHINSIGHT_AGENT_HEALTH_PORT: '0',
    }),
    silent,
  );
  t.teardown(() => agent.stop());
  t.equal(agent.commands, undefined);
});

t.test('a broken identity stops `run` with exit 1 naming it, before the store is created', async (t) => {
  const dataDir = await enrolled(t, 'mqtt://127.0.0.1:1');
  rmSync(join(dataDir, 'keys', 'box.pem'));
  const { io, out } = captureIo({ HASHINSIGHT_DATA_DIR: dataDir, HASHINSIGHT_AGENT_HEALTH_PORT: '0' });
  t.equal(await runRunCommand([], io), 1);
  t.match(out.stderr, /^hashinsight-agent run: .*box\.pem/);
  t.notMatch(out.stderr, /\n\s+at /, 'no stack trace');
  t.notMatch(out.stderr, /broker-password/);
  t.notOk(existsSync(join(dataDir, 'agent.sqlite')), 'no store opened');
});
