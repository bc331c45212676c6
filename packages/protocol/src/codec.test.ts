import t, { type Test } from 'tap';
import { hashinsight } from '../generated/hashinsight.js';
import {
  agentPresenceCodec,
  cloudStateCodec,
  commandCodec,
  commandUpdateCodec,
  discoveryReportCodec,
  MAX_MESSAGE_BYTES,
  ProtocolError,
  sealedCredentialCodec,
  telemetryAckCodec,
  telemetryBatchCodec,
} from './index.js';

const v1 = hashinsight.v1;

function sample(seq: number, extra: Record<string, unknown> = {}) {
  return {
    seq,
    minerId: 'aabbccddeeff',
    timeMs: 1_795_000_000_000 + seq,
    status: v1.MinerStatus.MINER_STATUS_OK,
    hashrateMhs: 110_566_890,
    hashrateAvgMhs: 111_834_850,
    hashrateExpectedMhs: 110_000_000,
    boards: [{ index: 0, hashrateMhs: 36_000_000, chipTempDc: 712, chips: 114, chipsExpected: 114 }],
    fanRpm: [5400, 5520, 5460, 5580],
    powerW: 3250,
    pools: [
      { url: 'stratum+tcp://pool.example:3333', user: 'site1.w1', accepted: 4057, rejected: 11, stale: 1 },
    ],
    uptimeS: 50_474,
    ...extra,
  };
}

function expectCode(t: Test, fn: () => unknown, code: string, pattern?: RegExp) {
  const error = (() => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  t.ok(error instanceof ProtocolError, `throws a ProtocolError (${code})`);
  t.equal((error as ProtocolError).code, code);
  if (pattern) t.match((error as ProtocolError).message, pattern);
}

t.test('a telemetry batch round-trips with every value intact', async (t) => {
  const batch = { epoch: 7, historical: true, samples: [sample(1), sample(2), sample(3)] };
  const decoded = telemetryBatchCodec.decode(telemetryBatchCodec.encode(batch));
  t.equal(decoded.epoch, 7);
  t.equal(decoded.historical, true);
  t.equal(decoded.samples.length, 3);
  const first = decoded.samples[0];
  t.equal(first?.seq, 1);
  t.equal(first?.hashrateMhs, 110_566_890);
  t.equal(first?.powerW, 3250);
  t.same(first?.fanRpm, [5400, 5520, 5460, 5580]);
  const board = first?.boards?.[0];
  t.equal(board?.chipTempDc, 712);
  t.equal(board?.boardTempDc ?? undefined, undefined, 'an unset optional temperature stays absent, not 0');
  t.equal(first?.pools?.[0]?.accepted, 4057);
});

t.test(
  '1000 lean samples (no identity, one board, one pool) stay compact and inside the limit',
  async (t) => {
    const samples = Array.from({ length: 1000 }, (_, i) => sample(i + 1));
    const bytes = telemetryBatchCodec.encode({ epoch: 1, samples });
    t.ok(bytes.length < MAX_MESSAGE_BYTES, `${bytes.length} bytes`);
    t.ok(bytes.length / 1000 < 160, `${(bytes.length / 1000).toFixed(1)} bytes per sample`);
  },
);

t.test('golden messages from earlier versions keep decoding', async (t) => {
  // Encoded once with contract v1 and frozen here: if a field number or type changes, this fails.
  const ack = telemetryAckCodec.decode(Buffer.from('0807102a', 'hex'));
  t.same({ epoch: ack.epoch, upToSeq: ack.upToSeq }, { epoch: 7, upToSeq: 42 });
  const batch = telemetryBatchCodec.decode(
    Buffer.from(
      '0803123608011201611a1b0a016112047f0100073210416e746d696e6572205331392050726f20f0af96f8a1342801309ce4c4345204982a902b',
      'hex',
    ),
  );
  t.equal(batch.epoch, 3);
  t.equal(batch.samples[0]?.minerId, 'a');
  t.equal(batch.samples[0]?.seq, 1);
  t.equal(batch.samples[0]?.status, v1.MinerStatus.MINER_STATUS_OK);
  t.equal(batch.samples[0]?.hashrateMhs, 110_178_844);
  t.equal(batch.samples[0]?.timeMs, 1_795_816_790_000);
  t.same(batch.samples[0]?.fanRpm, [5400, 5520]);
  t.equal(batch.samples[0]?.identity?.model, 'Antminer S19 Pro');
  t.same([...(batch.samples[0]?.identity?.ip ?? [])], [127, 1, 0, 7]);
});

t.test('unknown fields from a newer writer are skipped, not rejected', async (t) => {
  const known = telemetryAckCodec.encode({ epoch: 2, upToSeq: 9 });
  const withUnknownField = Buffer.concat([known, Buffer.from([0xf8, 0x3e, 0x01])]); // field 999, varint 1
  t.equal(telemetryAckCodec.decode(withUnknownField).upToSeq, 9);
});

t.test('bad bytes give typed errors, never a crash', async (t) => {
  const good = telemetryBatchCodec.encode({ epoch: 1, samples: [sample(1)] });
  expectCode(t, () => telemetryBatchCodec.decode(good.subarray(0, good.length - 5)), 'PROTOCOL_MALFORMED');
  expectCode(
    t,
    () => telemetryBatchCodec.decode(Buffer.from('this is not protobuf at all \xff\xfe')),
    'PROTOCOL_MALFORMED',
  );
  expectCode(
    t,
    () => telemetryBatchCodec.decode(new Uint8Array(MAX_MESSAGE_BYTES + 1)),
    'PROTOCOL_TOO_LARGE',
  );
  // 10,000 nested start-group tags crashed Node in older protobufjs (protobufjs#2121).
  expectCode(t, () => telemetryBatchCodec.decode(new Uint8Array(10_000).fill(0x0b)), 'PROTOCOL_MALFORMED');
  // A length prefix of 2^31 on field 2.
  expectCode(
    t,
    () => telemetryBatchCodec.decode(Buffer.from([0x12, 0x80, 0x80, 0x80, 0x80, 0x08, 0x01])),
    'PROTOCOL_MALFORMED',
  );
  // Empty bytes decode to an empty message, which the contract rejects.
  expectCode(t, () => telemetryBatchCodec.decode(new Uint8Array(0)), 'PROTOCOL_INVALID', /epoch/);
});

t.test('well-formed protobuf that breaks the contract is rejected with the reason', async (t) => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no samples', { epoch: 1, samples: [] }, /at least one sample/],
    ['zero epoch', { epoch: 0, samples: [sample(1)] }, /epoch/],
    ['seq going backwards', { epoch: 1, samples: [sample(2), sample(1)] }, /greater than the one before/],
    ['duplicate seq', { epoch: 1, samples: [sample(1), sample(1)] }, /greater than the one before/],
    ['seq zero', { epoch: 1, samples: [sample(0)] }, /seq/],
    ['empty miner id', { epoch: 1, samples: [sample(1, { minerId: '' })] }, /minerId/],
    ['miner id with a space', { epoch: 1, samples: [sample(1, { minerId: 'a b' })] }, /minerId/],
    [
      '5-byte IP',
      { epoch: 1, samples: [sample(1, { identity: { minerId: 'aabbccddeeff', ip: new Uint8Array(5) } })] },
      /ip/,
    ],
    [
      'identity of another miner',
      { epoch: 1, samples: [sample(1, { identity: { minerId: 'other' } })] },
      /identity/,
    ],
    ['seq beyond 2^53', { epoch: 1, samples: [sample(2 ** 60)] }, /seq/],
  ];
  for (const [name, batch, pattern] of cases) {
    t.test(name, async (t) => {
      expectCode(t, () => telemetryBatchCodec.encode(batch as never), 'PROTOCOL_INVALID', pattern);
      // The same message built without our checks is refused on decode too.
      const raw = v1.TelemetryBatch.encode(batch as never).finish();
      expectCode(t, () => telemetryBatchCodec.decode(raw), 'PROTOCOL_INVALID', pattern);
    });
  }
  expectCode(t, () => telemetryBatchCodec.encode({ epoch: 'one' } as never), 'PROTOCOL_INVALID', /epoch/);
});

t.test('presence, command and credential rules', async (t) => {
  const birth = agentPresenceCodec.decode(
    agentPresenceCodec.encode({ birth: { epoch: 4, agentVersion: '0.1.0' } }),
  );
  t.equal(birth.birth?.epoch, 4);
  t.equal(birth.kind, 'birth');
  const death = agentPresenceCodec.decode(agentPresenceCodec.encode({ death: { epoch: 4, clean: true } }));
  t.equal(death.kind, 'death');
  expectCode(t, () => agentPresenceCodec.encode({}), 'PROTOCOL_INVALID', /birth or death/);
  expectCode(t, () => agentPresenceCodec.encode({ birth: { epoch: 0 } }), 'PROTOCOL_INVALID', /epoch/);
  expectCode(
    t,
    () => agentPresenceCodec.encode({ birth: { epoch: 1, backlogSamples: 2 ** 60 } }),
    'PROTOCOL_INVALID',
    /backlogSamples/,
  );

  const command = { commandId: '01JDX8Z', minerIds: ['aabbccddeeff'], expiresAtMs: 1, reboot: {} };
  t.equal(commandCodec.decode(commandCodec.encode(command)).action, 'reboot');
  expectCode(
    t,
    () => commandCodec.encode({ ...command, reboot: undefined }),
    'PROTOCOL_INVALID',
    /exactly one action/,
  );
  expectCode(t, () => commandCodec.encode({ ...command, minerIds: [] }), 'PROTOCOL_INVALID', /target/);

  const sealed = {
    credentialId: 'c1',
    ephemeralPublicKey: new Uint8Array(32),
    nonce: new Uint8Array(12),
    ciphertext: new Uint8Array(40),
  };
  t.equal(sealedCredentialCodec.decode(sealedCredentialCodec.encode(sealed)).ciphertext.length, 40);
  expectCode(
    t,
    () => sealedCredentialCodec.encode({ ...sealed, nonce: new Uint8Array(8) }),
    'PROTOCOL_INVALID',
    /nonce/,
  );
});

t.test(
  'a batch may say which seq is the oldest the agent still holds, never above its first sample',
  async (t) => {
    const batch = { epoch: 1, oldestUnackedSeq: 5, samples: [sample(5), sample(6)] };
    t.equal(telemetryBatchCodec.decode(telemetryBatchCodec.encode(batch)).oldestUnackedSeq, 5);
    expectCode(
      t,
      () => telemetryBatchCodec.encode({ ...batch, oldestUnackedSeq: 6 }),
      'PROTOCOL_INVALID',
      /oldestUnackedSeq/,
    );
  },
);

t.test('discovery, command update and cloud state rules', async (t) => {
  const report = {
    scanId: '01JDX8ZSCAN',
    ranges: ['10.0.0.0/22'],
    miners: [{ driver: 'cgminer', openPorts: [4028] }],
  };
  t.same(discoveryReportCodec.decode(discoveryReportCodec.encode(report)).ranges, ['10.0.0.0/22']);
  expectCode(
    t,
    () => discoveryReportCodec.encode({ ...report, scanId: 'a/b' }),
    'PROTOCOL_INVALID',
    /scanId/,
  );
  expectCode(t, () => discoveryReportCodec.decode(Buffer.from([0x0a, 0x05, 0x61])), 'PROTOCOL_MALFORMED');

  const update = {
    commandId: '01JDX8Z',
    minerId: 'aabbccddeeff',
    state: v1.CommandState.COMMAND_STATE_SUCCEEDED,
  };
  t.equal(
    commandUpdateCodec.decode(commandUpdateCodec.encode(update)).state,
    v1.CommandState.COMMAND_STATE_SUCCEEDED,
  );
  expectCode(t, () => commandUpdateCodec.encode({ ...update, state: 0 }), 'PROTOCOL_INVALID', /state/);
  expectCode(t, () => commandUpdateCodec.encode({ ...update, minerId: '' }), 'PROTOCOL_INVALID', /minerId/);

  const state = cloudStateCodec.decode(cloudStateCodec.encode({ online: true, atMs: 1_795_000_000_000 }));
  t.same({ online: state.online, atMs: state.atMs }, { online: true, atMs: 1_795_000_000_000 });
  expectCode(t, () => cloudStateCodec.decode(new Uint8Array(10_000).fill(0x0b)), 'PROTOCOL_MALFORMED');
});

t.test(
  'a batch may carry the outbox backlog: absent from older agents, 0 kept distinct from absent',
  async (t) => {
    const batch = { epoch: 1, samples: [sample(1)] };
    const withCount = telemetryBatchCodec.decode(
      telemetryBatchCodec.encode({ ...batch, backlogSamples: 1234 }),
    );
    t.equal(withCount.backlogSamples, 1234);
    const empty = telemetryBatchCodec.decode(telemetryBatchCodec.encode({ ...batch, backlogSamples: 0 }));
    t.equal(empty.backlogSamples, 0, 'an empty outbox is reported as 0');
    const older = telemetryBatchCodec.decode(telemetryBatchCodec.encode(batch));
    t.equal(older.backlogSamples ?? undefined, undefined, 'not stated: absent, not 0');
    // Frozen: epoch 1, one sample, backlog_samples (field 7) = 300. If the field number or type changes, this fails.
    const golden = telemetryBatchCodec.decode(
      Buffer.from('0801120e080112016120f0af96f8a134280138ac02', 'hex'),
    );
    t.equal(golden.backlogSamples, 300);
    t.equal(golden.samples[0]?.minerId, 'a');
    expectCode(
      t,
      () => telemetryBatchCodec.encode({ ...batch, backlogSamples: 2 ** 60 }),
      'PROTOCOL_INVALID',
      /backlogSamples/,
    );
    expectCode(
      t,
      () =>
        telemetryBatchCodec.decode(
          v1.TelemetryBatch.encode({ ...batch, backlogSamples: -1 } as never).finish(),
        ),
      'PROTOCOL_INVALID',
      /backlogSamples/,
    );
  },
);
