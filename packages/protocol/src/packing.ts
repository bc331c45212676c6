import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';
import protobuf from 'protobufjs/minimal.js';
import { hashinsight } from '../generated/hashinsight.js';
import { ProtocolError } from './errors.js';
import { MAX_SAMPLES_PER_BATCH, sampleProblem } from './validate.js';

// Samples packed into compressed SampleBlocks: what the agent stores in its outbox and sends as is. A block is
// decompressed only under hard limits, so a hostile message of 256 KiB cannot inflate without bound.

type MinerSample = hashinsight.v1.IMinerSample;
const { MinerSample, SampleEncoding } = hashinsight.v1;
const { Reader, Writer } = protobuf;

/** Most bytes the blocks of one batch may inflate to (a full batch of large real samples is ~1.5 MB). */
export const MAX_INFLATED_BYTES_PER_BATCH = 8 * 1024 * 1024;

/**
 * Brotli quality 5. Measured on real simulator samples of distinct miners (83 a block, a 5,000-miner site's
 * second at 60 s): DEFLATE-6 84 B a sample, brotli-5 72 B at about the same CPU (~15 µs a sample); qualities
 * above 5 gain nothing here and cost up to twice the CPU. `npm run bench -- agent` reprints the figures.
 */
const BROTLI_PARAMS = { [constants.BROTLI_PARAM_QUALITY]: 5 };

const inflaters: Partial<Record<number, (data: Uint8Array, maxOutputLength: number) => Buffer>> = {
  [SampleEncoding.SAMPLE_ENCODING_DEFLATE_RAW]: (data, maxOutputLength) =>
    inflateRawSync(data, { maxOutputLength }),
  [SampleEncoding.SAMPLE_ENCODING_BROTLI]: (data, maxOutputLength) =>
    brotliDecompressSync(data, { maxOutputLength }),
};

/** The first problem that would make the contract refuse `sample` (seq included), or undefined. */
export function checkSample(sample: MinerSample): string | undefined {
  const problem = MinerSample.verify(sample as Record<string, unknown>);
  return problem === null ? sampleProblem(sample) : `sample: ${problem}`;
}

/**
 * Encodes `samples` length-delimited and compresses them as one block. With `firstSeq` the samples are numbered
 * from it in order and their own seqs are left out; without it each keeps its seq.
 */
export function packSamples(samples: readonly MinerSample[], firstSeq?: number): hashinsight.v1.ISampleBlock {
  const writer = Writer.create();
  for (const sample of samples) {
    MinerSample.encode(firstSeq === undefined ? sample : { ...sample, seq: 0 }, writer.fork()).ldelim();
  }
  const raw = writer.finish();
  return {
    ...(firstSeq === undefined ? {} : { firstSeq }),
    encoding: SampleEncoding.SAMPLE_ENCODING_BROTLI,
    sampleCount: samples.length,
    rawBytes: raw.length,
    data: brotliCompressSync(raw, { params: BROTLI_PARAMS }),
  };
}

/** What one batch may still take while its blocks are unpacked. */
export interface UnpackBudget {
  bytes: number;
  samples: number;
}

export function newUnpackBudget(): UnpackBudget {
  return { bytes: MAX_INFLATED_BYTES_PER_BATCH, samples: MAX_SAMPLES_PER_BATCH };
}

/**
 * Inflates and decodes one untrusted block, charging `budget`. Throws ProtocolError PROTOCOL_TOO_LARGE when the
 * block states or holds more than the budget allows, PROTOCOL_INVALID for an unknown encoding and
 * PROTOCOL_MALFORMED when the data is corrupt or does not match its stated length and count.
 */
export function unpackSamples(
  block: hashinsight.v1.ISampleBlock,
  budget: UnpackBudget = newUnpackBudget(),
  at = 'block',
): hashinsight.v1.MinerSample[] {
  const inflate = inflaters[block.encoding ?? 0];
  if (inflate === undefined) {
    throw new ProtocolError('PROTOCOL_INVALID', `${at}: unknown sample encoding ${block.encoding}`);
  }
  const count = block.sampleCount ?? 0;
  const rawBytes = block.rawBytes ?? 0;
  if (count < 1) throw new ProtocolError('PROTOCOL_INVALID', `${at}: sampleCount must be >= 1`);
  if (count > budget.samples) {
    throw new ProtocolError(
      'PROTOCOL_TOO_LARGE',
      `${at}: more than ${MAX_SAMPLES_PER_BATCH} samples per batch`,
    );
  }
  if (rawBytes > budget.bytes) {
    throw new ProtocolError(
      'PROTOCOL_TOO_LARGE',
      `${at}: inflates past ${MAX_INFLATED_BYTES_PER_BATCH} bytes per batch`,
    );
  }
  let raw: Buffer;
  try {
    // One byte over the stated length is enough to tell a lying block from an honest one.
    raw = inflate(block.data ?? new Uint8Array(0), rawBytes + 1);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ProtocolError('PROTOCOL_MALFORMED', `${at}: inflates past its stated ${rawBytes} bytes`, {
        cause,
      });
    }
    throw new ProtocolError('PROTOCOL_MALFORMED', `${at}: corrupt compressed data`, { cause });
  }
  if (raw.length !== rawBytes) {
    throw new ProtocolError(
      'PROTOCOL_MALFORMED',
      `${at}: inflates to ${raw.length} bytes, not the stated ${rawBytes}`,
    );
  }
  const samples: hashinsight.v1.MinerSample[] = [];
  const reader = Reader.create(raw);
  try {
    while (reader.pos < reader.len) {
      if (samples.length === count) break;
      samples.push(MinerSample.decode(reader, reader.uint32()));
    }
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ProtocolError('PROTOCOL_MALFORMED', `${at}: cannot decode a sample (${reason})`, { cause });
  }
  if (samples.length !== count || reader.pos !== reader.len) {
    throw new ProtocolError('PROTOCOL_MALFORMED', `${at}: holds other than its stated ${count} samples`);
  }
  const firstSeq = block.firstSeq ?? 0;
  if (firstSeq > 0) {
    if (!Number.isSafeInteger(firstSeq + count)) {
      throw new ProtocolError('PROTOCOL_INVALID', `${at}: firstSeq must be a safe integer`);
    }
    for (const [i, sample] of samples.entries()) {
      if (sample.seq !== 0)
        throw new ProtocolError('PROTOCOL_INVALID', `${at}: a numbered block's samples carry no seq`);
      sample.seq = firstSeq + i;
    }
  }
  budget.bytes -= rawBytes;
  budget.samples -= count;
  return samples;
}
