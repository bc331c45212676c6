// The agent enrolls itself with the real cloud (SQLite, embedded broker): keys made on the box, only public halves
// sent, the identity kept 0600, and the broker login and URL it got really work. A used token is refused clearly.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { enroll, IdentityError, loadIdentity } from '@hashinsight/agent';
import { tempDir } from '@hashinsight/testkit';
import mqtt from 'mqtt';
import t from 'tap';
import { api, enrollmentToken, login, startTestCloud } from './cloud-harness.js';

const EMAIL = 'owner@enroll.test';

t.test('hashinsight-agent enroll against the real cloud', async (t) => {
  const dir = tempDir(t);
  const cloud = await startTestCloud(t, join(dir, 'cloud'), EMAIL);
  const accessToken = await login(cloud, EMAIL);
  const { siteId, token } = await enrollmentToken(cloud, accessToken);

  const dataDir = join(dir, 'agent');
  const identity = await enroll({
    cloudUrl: cloud.httpUrl,
    token,
    dataDir,
    hostname: 'edge-01',
    agentVersion: '0.1.0',
  });
  t.equal(identity.siteId, siteId, 'enrolled in the site of the token');
  t.equal(identity.mqtt.url, `mqtt://127.0.0.1:${cloud.mqttPort}`, "the cloud's broker address");
  t.ok(identity.commandKeys.length >= 1, "the cloud's command key");

  // Files: identity 0600, keys folder 0700 with 0600 PEM files; what loads is what was made.
  t.equal(statSync(join(dataDir, 'identity.json')).mode & 0o777, 0o600);
  t.equal(statSync(join(dataDir, 'keys')).mode & 0o777, 0o700);
  for (const file of readdirSync(join(dataDir, 'keys'))) {
    t.equal(statSync(join(dataDir, 'keys', file)).mode & 0o777, 0o600, file);
  }
  t.notMatch(
    readFileSync(join(dataDir, 'identity.json'), 'utf8'),
    /PRIVATE KEY/,
    'no private key in identity.json',
  );
  const loaded = loadIdentity(dataDir);
  t.equal(loaded.agentId, identity.agentId);
  t.equal(loaded.boxKey.publicKey, identity.boxKey.publicKey);

  // The cloud lists the agent under the box's hostname.
  const agent = await api<{ id: string; hostname: string }>(
    cloud,
    `/api/agents/${identity.agentId}`,
    accessToken,
  );
  t.match(agent, { id: identity.agentId, hostname: 'edge-01' });

  // The broker login works as given, and only as given.
  const client = await mqtt.connectAsync(identity.mqtt.url, {
    clientId: identity.agentId,
    username: identity.mqtt.username,
    password: identity.mqtt.password,
    reconnectPeriod: 0,
  });
  t.ok(client.connected, 'connects with the enrolled login');
  await client.endAsync();
  await t.rejects(
    mqtt.connectAsync(identity.mqtt.url, {
      clientId: identity.agentId,
      username: identity.mqtt.username,
      password: 'wrong',
      reconnectPeriod: 0,
    }),
    'a wrong password is refused',
  );

  // The token worked once; a second box using it learns why it cannot.
  const second = join(dir, 'agent-2');
  const refused = await enroll({
    cloudUrl: cloud.httpUrl,
    token,
    dataDir: second,
    hostname: 'edge-02',
    agentVersion: '0.1.0',
  }).catch((error: unknown) => error);
  t.ok(refused instanceof IdentityError);
  t.match(refused, { code: 'ENROLL_REFUSED', message: /ENROLLMENT_TOKEN_USED/ });
});
