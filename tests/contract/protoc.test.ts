// The contract is plain protobuf: the standard compiler accepts it and decodes what the agent really publishes.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { AgentStore, CloudSync, createLogger } from '@hashinsight/agent';
import { agentTopic, hashinsight } from '@hashinsight/protocol';
import { startTestBroker, tempDir, waitFor } from '@hashinsight/testkit';
import t from 'tap';

const protoRoot = resolve(import.meta.dirname, '../../proto');
const protoFiles = readdirSync(join(protoRoot, 'hashinsight/v1'))
  .filter((f) => f.endsWith('.proto'))
  .map((f) => `hashinsight/v1/${f}`);
const hasProtoc = spawnSync('protoc', ['--version']).status === 0;
const skip = hasProtoc ? false : 'protoc is not installed (Debian package protobuf-compiler)';

t.test('protoc accepts every .proto file', { skip }, async (t) => {
  const out = execFileSync('protoc', ['-I', protoRoot, '--descriptor_set_out=/dev/null', ...protoFiles], {
    encoding: 'utf8',
  });
  t.equal(out, '');
});

t.test('protoc --decode reads a telemetry batch the agent published', { skip }, async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const agentId = 'agent-protoc';
  let captured: Buffer | undefined;
  broker.aedes.subscribe(
    agentTopic(agentId, 'telemetry'),
    (packet, done) => {
      captured ??= Buffer.from(packet.payload as Buffer);
      done();
    },
    () => {},
  );
  const store = new AgentStore(tempDir(t));
  t.teardown(() => store.close());
  const offlineEpoch = store.currentEpoch();
  store.append([
    {
      minerId: 'ip-127.1.0.7',
      timeMs: 1_795_000_000_123,
      status: 1,
      hashrateMhs: 110_566_890,
      fanRpm: [5400, 5520],
    },
  ]);
  const sync = new CloudSync(
    store,
    { agentId, mqttUrl: broker.url, agentVersion: '0.0.0-test', hostname: 'test-box' },
    createLogger('silent'),
  );
  sync.start();
  t.teardown(() => sync.stop());
  const payload = await waitFor('a published batch', () => captured);

  const decoded = spawnSync(
    'protoc',
    ['-I', protoRoot, '--decode=hashinsight.v1.TelemetryBatch', 'hashinsight/v1/telemetry.proto'],
    { input: payload, encoding: 'utf8' },
  );
  t.equal(decoded.status, 0, decoded.stderr);
  t.match(decoded.stdout, new RegExp(`epoch: ${offlineEpoch}\\b`));
  t.match(decoded.stdout, /encoding: SAMPLE_ENCODING_BROTLI/);
  t.match(decoded.stdout, /sample_count: 1\b/);
  t.match(decoded.stdout, /first_seq: 1\b/);
  // The samples travel packed: brotli, then length-delimited MinerSamples that protoc reads as well.
  const block = hashinsight.v1.TelemetryBatch.decode(payload).blocks[0];
  const raw = brotliDecompressSync(block?.data ?? new Uint8Array(0));
  const sample = spawnSync(
    'protoc',
    ['-I', protoRoot, '--decode=hashinsight.v1.MinerSample', 'hashinsight/v1/telemetry.proto'],
    { input: raw.subarray(1, 1 + (raw[0] ?? 0)), encoding: 'utf8' },
  );
  t.equal(sample.status, 0, sample.stderr);
  t.match(sample.stdout, /miner_id: "ip-127\.1\.0\.7"/);
  t.match(sample.stdout, /hashrate_mhs: 110566890/);
  t.match(sample.stdout, /time_ms: 1795000000123/);
  t.match(sample.stdout, /status: MINER_STATUS_OK/);
  t.match(sample.stdout, /fan_rpm: 5400\s+fan_rpm: 5520/);
  t.match(decoded.stdout, /historical: true/);
});
