// The doctor's verdicts against real sockets and a real filesystem, one check at a time.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, tempDir } from '@hashinsight/testkit';
import t, { type Test } from 'tap';
import { loadAgentConfig } from '../config/index.js';
import { checkCloud, checkDisk } from './doctor-checks.js';

async function cloud(t: Test, answer: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((_req, res) => answer(res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const configWith = (env: Record<string, string>) =>
  loadAgentConfig({ HASHINSIGHT_AGENT_HEALTH_PORT: '0', ...env });

t.test('cloud and clock: in step, skewed, silent, failing, unreachable', async (t) => {
  const at = (offsetMs: number) => (res: ServerResponse) => {
    res.writeHead(200, { date: new Date(Date.now() + offsetMs).toUTCString() });
    res.end();
  };
  const verdicts = async (cloudUrl: string) => {
    const [cloudCheck, clock] = await checkCloud(configWith({ HASHINSIGHT_AGENT_CLOUD_URL: cloudUrl }));
    return { cloud: cloudCheck, clock };
  };
  t.match(await verdicts(await cloud(t, at(0))), {
    cloud: { status: 'PASS' },
    clock: { status: 'PASS', reason: /in step with the cloud/ },
  });
  t.match(await verdicts(await cloud(t, at(-20_000))), {
    clock: { status: 'WARN', reason: /ahead of the cloud by 1[89]\.\d s: sync the clock/ },
  });
  t.match(await verdicts(await cloud(t, at(3_600_000))), {
    clock: { status: 'FAIL', reason: /behind the cloud by 359[89]\.\d s/ },
  });
  const dateless = await cloud(t, (res) => {
    res.sendDate = false;
    res.end();
  });
  t.match(await verdicts(dateless), {
    cloud: { status: 'PASS' },
    clock: { status: 'WARN', reason: /no Date header/ },
  });
  const failing = await cloud(t, (res) => {
    res.writeHead(503);
    res.end();
  });
  t.match(await verdicts(failing), { cloud: { status: 'FAIL', reason: /answered HTTP 503/ } });
  const refused = await verdicts(`http://127.0.0.1:${await freePort()}`);
  t.match(refused, {
    cloud: { status: 'FAIL', reason: /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/ },
  });
});

t.test('disk: outbox against its budget, dropped ranges not reported, too little free space', async (t) => {
  const config = configWith({
    HASHINSIGHT_DATA_DIR: tempDir(t),
    HASHINSIGHT_AGENT_OUTBOX_MAX_BYTES: String(2 * 1024 ** 2),
  });
  t.match(await checkDisk(config, undefined), {
    status: 'PASS',
    reason: /^outbox 0 B of 2\.0 MiB budget, .* free on disk$/,
  });
  t.match(await checkDisk(config, { miners: [], outboxBytes: 1.9 * 1024 ** 2, gapsPending: 0 }), {
    status: 'WARN',
    reason: /1\.9 MiB of 2\.0 MiB budget.*nearly full/,
  });
  t.match(await checkDisk(config, { miners: [], outboxBytes: 1024, gapsPending: 2 }), {
    status: 'WARN',
    reason: /2 dropped ranges not yet reported/,
  });
  const huge = configWith({
    HASHINSIGHT_DATA_DIR: tempDir(t),
    HASHINSIGHT_AGENT_OUTBOX_MAX_BYTES: String(1024 ** 4),
  });
  t.match(await checkDisk(huge, undefined), {
    status: 'WARN',
    reason: /the disk fills before the budget does/,
  });
  const notYet = configWith({ HASHINSIGHT_DATA_DIR: `${tempDir(t)}/not/created/yet` });
  t.match(
    await checkDisk(notYet, undefined),
    { status: 'PASS' },
    'a data dir not created yet: its disk is checked',
  );
});
