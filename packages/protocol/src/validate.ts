import type { hashinsight } from '../generated/hashinsight.js';

// The contract's rules beyond field types. Each validator returns the first problem found, or undefined.
// They accept both decoded messages and the plain objects an encoder is given (so optional fields may be absent).

type v1 = typeof hashinsight.v1;
type Plain<T extends keyof v1> = v1[T] extends { create(p?: infer P): unknown } ? NonNullable<P> : never;

/** Upper bound on samples in one telemetry batch (a full batch stays far below MAX_MESSAGE_BYTES). */
export const MAX_SAMPLES_PER_BATCH = 2000;
const MINER_ID = /^[\x21-\x7e]{1,64}$/;
const ULID_LIKE = /^[0-9A-Za-z_-]{1,64}$/;

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isPositive = (n: unknown): boolean => isCount(n) && (n as number) >= 1;
const byteLength = (b: Uint8Array | null | undefined): number => b?.length ?? 0;

/** The first problem of one sample (its seq included), named as `at`; undefined when it may be sent. */
export function sampleProblem(sample: Plain<'MinerSample'>, at = 'sample'): string | undefined {
  if (!isPositive(sample.seq)) return `${at}.seq must be a safe integer >= 1`;
  if (!MINER_ID.test(sample.minerId ?? '')) return `${at}.minerId must be 1-64 printable ASCII characters`;
  if (!isPositive(sample.timeMs)) return `${at}.timeMs must be a positive safe integer`;
  for (const field of ['hashrateMhs', 'hashrateAvgMhs', 'hashrateExpectedMhs'] as const) {
    if (sample[field] != null && !isCount(sample[field])) return `${at}.${field} must be a safe integer >= 0`;
  }
  const identity = sample.identity;
  if (identity) {
    if (identity.minerId !== sample.minerId) return `${at}.identity.minerId differs from ${at}.minerId`;
    if (![0, 4, 16].includes(byteLength(identity.ip))) return `${at}.identity.ip must have 4 or 16 bytes`;
    if (![0, 6].includes(byteLength(identity.mac))) return `${at}.identity.mac must have 6 bytes`;
  }
  for (const [b, board] of (sample.boards ?? []).entries()) {
    if (board.hashrateMhs != null && !isCount(board.hashrateMhs)) {
      return `${at}.boards[${b}].hashrateMhs must be a safe integer >= 0`;
    }
  }
  for (const [p, pool] of (sample.pools ?? []).entries()) {
    for (const field of ['accepted', 'rejected', 'stale'] as const) {
      if (pool[field] != null && !isCount(pool[field]))
        return `${at}.pools[${p}].${field} must be a safe integer`;
    }
  }
  return undefined;
}

export const validators = {
  agentPresence(m: Plain<'AgentPresence'>): string | undefined {
    if (m.birth && m.death) return 'only one of birth and death may be set';
    const epoch = m.birth?.epoch ?? m.death?.epoch;
    if (epoch === undefined) return 'one of birth or death must be set';
    if (!isPositive(epoch)) return 'epoch must be >= 1';
    if (m.birth?.backlogSamples != null && !isCount(m.birth.backlogSamples))
      return 'birth.backlogSamples must be a safe integer >= 0';
    return undefined;
  },

  telemetryBatch(m: Plain<'TelemetryBatch'>): string | undefined {
    if (!isPositive(m.epoch)) return 'epoch must be >= 1';
    const samples = m.samples ?? [];
    const blocks = m.blocks ?? [];
    const gaps = m.gaps ?? [];
    if (samples.length + blocks.length + gaps.length === 0) return 'a batch needs at least one sample or gap';
    // Blocks are checked here as an encoder sees them; a decoder unpacks them into samples first (codec.ts).
    let packed = 0;
    for (const [i, block] of blocks.entries()) {
      if (!isPositive(block.sampleCount)) return `blocks[${i}].sampleCount must be >= 1`;
      packed += block.sampleCount as number;
    }
    if (samples.length + packed > MAX_SAMPLES_PER_BATCH)
      return `at most ${MAX_SAMPLES_PER_BATCH} samples per batch`;
    for (const [i, gap] of gaps.entries()) {
      if (!isPositive(gap.epoch)) return `gaps[${i}].epoch must be >= 1`;
      if (
        !isPositive(gap.firstSeq) ||
        !isCount(gap.lastSeq) ||
        (gap.lastSeq as number) < (gap.firstSeq as number)
      )
        return `gaps[${i}] must name seqs firstSeq..lastSeq with 1 <= firstSeq <= lastSeq`;
      for (const field of ['samples', 'oldestTimeMs', 'newestTimeMs', 'droppedAtMs'] as const) {
        if (gap[field] != null && !isCount(gap[field]))
          return `gaps[${i}].${field} must be a safe integer >= 0`;
      }
    }
    let previousSeq = 0;
    for (const [i, sample] of samples.entries()) {
      const problem = sampleProblem(sample, `samples[${i}]`);
      if (problem) return problem;
      if ((sample.seq as number) <= previousSeq)
        return `samples[${i}].seq must be greater than the one before`;
      previousSeq = sample.seq as number;
    }
    const oldest = m.oldestUnackedSeq ?? 0;
    if (!isCount(oldest)) return 'oldestUnackedSeq must be a safe integer >= 0';
    if (samples.length > 0 && oldest > (samples[0]?.seq as number))
      return 'oldestUnackedSeq cannot be above the first sample';
    if (m.backlogSamples != null && !isCount(m.backlogSamples))
      return 'backlogSamples must be a safe integer >= 0';
    return undefined;
  },

  telemetryAck(m: Plain<'TelemetryAck'>): string | undefined {
    if (!isPositive(m.epoch)) return 'epoch must be >= 1';
    if (!isCount(m.upToSeq ?? 0)) return 'upToSeq must be a safe integer >= 0';
    return undefined;
  },

  discoveryReport(m: Plain<'DiscoveryReport'>): string | undefined {
    if (!ULID_LIKE.test(m.scanId ?? '')) return 'scanId must be 1-64 characters of [0-9A-Za-z_-]';
    return undefined;
  },

  command(m: Plain<'Command'>): string | undefined {
    if (!ULID_LIKE.test(m.commandId ?? '')) return 'commandId must be 1-64 characters of [0-9A-Za-z_-]';
    const targets = m.minerIds ?? [];
    if (targets.length === 0) return 'a command needs at least one target miner';
    if (targets.some((id) => !MINER_ID.test(id)))
      return 'every minerId must be 1-64 printable ASCII characters';
    const actions = [
      'reboot',
      'restartMining',
      'setPools',
      'setLed',
      'setPowerMode',
      'setPowerLimit',
      'sleep',
      'wake',
      'updateCredentials',
      'cancel',
    ];
    const set = actions.filter((a) => m[a as keyof typeof m] != null);
    if (set.length !== 1) return 'exactly one action must be set';
    if (!isPositive(m.expiresAtMs)) return 'expiresAtMs must be set';
    return undefined;
  },

  commandUpdate(m: Plain<'CommandUpdate'>): string | undefined {
    if (!ULID_LIKE.test(m.commandId ?? '')) return 'commandId must be 1-64 characters of [0-9A-Za-z_-]';
    if (!MINER_ID.test(m.minerId ?? '')) return 'minerId must be 1-64 printable ASCII characters';
    if (!m.state) return 'state must be set';
    return undefined;
  },

  sealedCredential(m: Plain<'SealedCredential'>): string | undefined {
    if (!ULID_LIKE.test(m.credentialId ?? '')) return 'credentialId must be 1-64 characters of [0-9A-Za-z_-]';
    if (byteLength(m.ephemeralPublicKey) !== 32) return 'ephemeralPublicKey must have 32 bytes';
    if (byteLength(m.nonce) !== 12) return 'nonce must have 12 bytes';
    if (byteLength(m.ciphertext) < 17) return 'ciphertext is too short to hold a secret and its tag';
    return undefined;
  },
};
