import { brotliCompressSync, deflateRawSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { hashinsight } from '../generated/hashinsight.js';
import {
  checkSample,
  MAX_MESSAGE_BYTES,
  MAX_SAMPLES_PER_BATCH,
  ProtocolError,
  packSamples,
  telemetryBatchCodec,
  unpackSamples,
} from './index.js';

const { SampleEncoding, GapReason } = hashinsight.v1;

const sample = (seq: number) => ({
  seq,
  minerId: `aabbccdd${String(seq % 5000).padStart(4, '0')}`,
  timeMs: 1_795_000_000_000 + seq * 700,
  status: 1,
  hashrateMhs: 110_000_000 + ((seq * 7919) % 2_000_000),
  boards: [0, 1, 2].map((index) => ({ index, hashrateMhs: 36_000_000 + seq, chipTempDc: 700 + (seq % 30) })),
  fanRpm: [5400, 5520],
  pools: [{ url: 'stratum+tcp://pool.example:3333', user: `site1.w${seq % 5000}`, accepted: seq * 3 }],
});

function expectCode(t: Test, fn: () => unknown, code: string, pattern: RegExp) {
  try {
    fn();
    t.fail(`expected ${code}`);
  } catch (error) {
    t.ok(error instanceof ProtocolError, 'a ProtocolError');
    t.equal((error as ProtocolError).code, code);
    t.match((error as Error).message, pattern);
  }
}

/** A block of hand-made bytes, as a hostile sender would write it. */
const block = (
  data: Uint8Array,
  sampleCount: number,
  rawBytes: number,
  encoding = SampleEncoding.SAMPLE_ENCODING_BROTLI,
) => ({
  encoding,
  sampleCount,
  rawBytes,
  data,
});

t.test('packed samples decode to the same samples as the plain form, after any plain ones', async (t) => {
  const packed = [packSamples([sample(3), sample(4)]), packSamples([sample(5)])];
  const bytes = telemetryBatchCodec.encode({ epoch: 9, samples: [sample(1), sample(2)], blocks: packed });
  const decoded = telemetryBatchCodec.decode(bytes);
  t.same(
    decoded.samples.map((s) => s.seq),
    [1, 2, 3, 4, 5],
  );
  t.equal(decoded.blocks.length, 0, 'the blocks are consumed');
  t.equal(decoded.samples[3]?.pools?.[0]?.user, 'site1.w4');
  t.equal(decoded.samples[4]?.boards?.[2]?.chipTempDc, 705);
  const plain = telemetryBatchCodec.decode(telemetryBatchCodec.encode({ epoch: 9, samples: [sample(3)] }));
  t.same(decoded.samples[2], plain.samples[0], 'same sample either way');
});

t.test('a numbered block leaves the seqs out and numbers its samples from firstSeq', async (t) => {
  const numbered = packSamples([sample(1), sample(2), sample(3)], 41);
  const plain = packSamples([sample(41), sample(42), sample(43)]);
  t.ok((numbered.data?.length ?? 0) < (plain.data?.length ?? 0), 'smaller without the seqs');
  const decoded = telemetryBatchCodec.decode(telemetryBatchCodec.encode({ epoch: 2, blocks: [numbered] }));
  t.same(
    decoded.samples.map((s) => s.seq),
    [41, 42, 43],
  );
  t.equal(checkSample(sample(1)), undefined);
  t.match(checkSample({ ...sample(1), minerId: 'a b' }), /minerId/);
  t.match(checkSample({ ...sample(1), seq: 0 }), /seq/);
});

t.test('DEFLATE blocks decode too', async (t) => {
  const encoded = hashinsight.v1.MinerSample.encode(sample(1)).finish();
  const framed = Buffer.concat([Buffer.from([encoded.length]), encoded]);
  const deflated = block(
    deflateRawSync(framed),
    1,
    framed.length,
    SampleEncoding.SAMPLE_ENCODING_DEFLATE_RAW,
  );
  const decoded = telemetryBatchCodec.decode(telemetryBatchCodec.encode({ epoch: 1, blocks: [deflated] }));
  t.equal(decoded.samples[0]?.minerId, sample(1).minerId);
});

t.test('2,000 realistic samples pack far below the message limit', async (t) => {
  const samples = Array.from({ length: MAX_SAMPLES_PER_BATCH }, (_, i) => sample(i + 1));
  const bytes = telemetryBatchCodec.encode({ epoch: 1, blocks: [packSamples(samples)] });
  t.ok(bytes.length < MAX_MESSAGE_BYTES / 4, `${bytes.length} bytes`);
  t.equal(telemetryBatchCodec.decode(bytes).samples.length, MAX_SAMPLES_PER_BATCH);
});

t.test('decompression bombs and lying blocks are refused with their reason', async (t) => {
  const zeros = Buffer.alloc(64 * 1024 * 1024); // 64 MiB of zeros packs into a few KiB
  const bomb = brotliCompressSync(zeros);
  t.ok(bomb.length < 64 * 1024, `the bomb is ${bomb.length} bytes on the wire`);
  const encode = (blocks: ReturnType<typeof block>[]) =>
    hashinsight.v1.TelemetryBatch.encode({ epoch: 1, blocks }).finish();
  expectCode(
    t,
    () => telemetryBatchCodec.decode(encode([block(bomb, 1, zeros.length)])),
    'PROTOCOL_TOO_LARGE',
    /inflates past/,
  );
  expectCode(
    t,
    () => telemetryBatchCodec.decode(encode([block(bomb, 1, 1000)])),
    'PROTOCOL_MALFORMED',
    /past its stated 1000 bytes/,
  );
  // Blocks share one budget per batch: each may fit while together they do not.
  const good = packSamples([sample(1), sample(2)]);
  const budget = { bytes: (good.rawBytes as number) * 2 - 1, samples: 100 };
  t.equal(unpackSamples(good, budget).length, 2);
  expectCode(t, () => unpackSamples(good, budget), 'PROTOCOL_TOO_LARGE', /inflates past/);
  expectCode(
    t,
    () => telemetryBatchCodec.decode(encode([block(Buffer.from('not brotli at all'), 1, 10)])),
    'PROTOCOL_MALFORMED',
    /corrupt/,
  );
  expectCode(
    t,
    () => telemetryBatchCodec.decode(encode([{ ...good, sampleCount: 3 } as ReturnType<typeof block>])),
    'PROTOCOL_MALFORMED',
    /stated 3 samples/,
  );
  expectCode(
    t,
    () =>
      telemetryBatchCodec.decode(
        encode([{ ...good, rawBytes: (good.rawBytes as number) + 5 } as ReturnType<typeof block>]),
      ),
    'PROTOCOL_MALFORMED',
    /not the stated/,
  );
  expectCode(
    t,
    () =>
      telemetryBatchCodec.decode(encode([{ ...good, encoding: 7 } as unknown as ReturnType<typeof block>])),
    'PROTOCOL_INVALID',
    /unknown sample encoding/,
  );
  expectCode(
    t,
    () =>
      telemetryBatchCodec.decode(
        encode([{ ...good, sampleCount: MAX_SAMPLES_PER_BATCH + 1 } as ReturnType<typeof block>]),
      ),
    'PROTOCOL_TOO_LARGE',
    /samples per batch/,
  );
  // Samples out of order across blocks break the contract like plain ones do.
  expectCode(
    t,
    () =>
      telemetryBatchCodec.decode(
        encode([
          packSamples([sample(5)]) as ReturnType<typeof block>,
          packSamples([sample(4)]) as ReturnType<typeof block>,
        ]),
      ),
    'PROTOCOL_INVALID',
    /greater than the one before/,
  );
});

t.test('gaps travel with or without samples and are checked', async (t) => {
  const gap = {
    epoch: 3,
    firstSeq: 10,
    lastSeq: 19,
    samples: 10,
    oldestTimeMs: 1,
    newestTimeMs: 2,
    droppedAtMs: 3,
    reason: GapReason.GAP_REASON_DISK_BUDGET,
  };
  const decoded = telemetryBatchCodec.decode(telemetryBatchCodec.encode({ epoch: 3, gaps: [gap] }));
  t.match(decoded.gaps[0], {
    epoch: 3,
    firstSeq: 10,
    lastSeq: 19,
    samples: 10,
    reason: GapReason.GAP_REASON_DISK_BUDGET,
  });
  t.throws(
    () => telemetryBatchCodec.encode({ epoch: 3, gaps: [{ ...gap, lastSeq: 9 }] }),
    /firstSeq <= lastSeq/,
  );
  t.throws(() => telemetryBatchCodec.encode({ epoch: 3, gaps: [{ ...gap, epoch: 0 }] }), /gaps\[0\].epoch/);
  t.throws(() => telemetryBatchCodec.encode({ epoch: 3 }), /at least one sample or gap/);
});
