// `hashinsight-agent enroll` in-process against a loopback HTTP server answering like the cloud: what it prints
// (never a secret), the refusal to overwrite an identity, --force, and usage errors.
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import { generateKeyPair } from '@hashinsight/vault';
import t, { type Test } from 'tap';
import { runEnrollCommand } from './enroll.js';
import { captureIo } from './io.js';

const TOKEN = `hie_${'T'.repeat(43)}`;
const PASSWORD = 'broker-password-canary-0123456789';
const cloudKey = generateKeyPair('ed25519');

async function fakeCloud(t: Test) {
  let enrolled = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      enrolled++;
      const agentId = `agent-${enrolled}`;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          success: true,
          data: {
            agentId,
            siteId: 'site-1',
            mqtt: { url: 'mqtt://127.0.0.1:18830', username: agentId, password: PASSWORD },
            commandKeys: [{ keyId: cloudKey.keyId, publicKey: cloudKey.publicKey }],
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

t.test('enroll prints who the agent is and no secret; a second enroll needs --force', async (t) => {
  const cloud = await fakeCloud(t);
  const dataDir = join(tempDir(t), 'agent');
  const env = { HASHINSIGHT_DATA_DIR: dataDir };
  const first = captureIo(env);
  t.equal(await runEnrollCommand(['--cloud', cloud, '--token', TOKEN], first.io), 0, first.out.stderr);
  t.match(first.out.stdout, /enrolled as agent agent-1 of site site-1/);
  const printed = first.out.stdout + first.out.stderr;
  t.notMatch(printed, PASSWORD, 'the broker password is not printed');
  t.notMatch(printed, TOKEN, 'nor the token');
  t.notMatch(printed, /PRIVATE KEY/);
  t.equal(statSync(join(dataDir, 'identity.json')).mode & 0o777, 0o600);
  t.equal(statSync(dataDir).mode & 0o777, 0o700);
  const keyBefore = readFileSync(join(dataDir, 'keys', 'box.pem'), 'utf8');

  const again = captureIo(env);
  t.equal(await runEnrollCommand(['--cloud', cloud, '--token', TOKEN], again.io), 1);
  t.match(again.out.stderr, /enrolled already \(use --force/);
  t.equal(JSON.parse(readFileSync(join(dataDir, 'identity.json'), 'utf8')).agentId, 'agent-1', 'unchanged');

  const forced = captureIo(env);
  t.equal(await runEnrollCommand(['--cloud', cloud, '--token', TOKEN, '--force'], forced.io), 0);
  t.match(forced.out.stdout, /agent agent-2/);
  t.not(readFileSync(join(dataDir, 'keys', 'box.pem'), 'utf8'), keyBefore, 'new keys');
});

t.test('usage errors exit 2, a refused enrollment exits 1', async (t) => {
  const env = { HASHINSIGHT_DATA_DIR: tempDir(t) };
  for (const argv of [[], ['--cloud', 'http://x'], ['--token', TOKEN], ['--cloud', 'http://x', '--token']]) {
    const { io } = captureIo(env);
    t.equal(await runEnrollCommand(argv, io), 2, JSON.stringify(argv));
  }
  const { io, out } = captureIo(env);
  t.equal(await runEnrollCommand(['--cloud', 'http://127.0.0.1:1', '--token', TOKEN], io), 1);
  t.match(out.stderr, /cannot reach the cloud/);
});
