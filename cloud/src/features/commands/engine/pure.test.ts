// The engine's pure parts: wire messages signed and verifiable by the agent's own check, command updates
// decoded from hostile bytes without throwing, and the rollout/abort arithmetic at its edges.
import { commandUpdateCodec, hashinsight } from '@hashinsight/protocol';
import { generateKeyPair, verifyCommand } from '@hashinsight/vault';
import t from 'tap';
import { failureShare, rolloutBudget, shouldAbort, takeForSite } from './rollout.js';
import { decodeUpdate, MAX_REASON } from './updates.js';
import { credentialsOf, newNonce, signedMessage, type WireAction, type WireEnvelope } from './wire.js';

const { CommandState, PowerMode } = hashinsight.v1;

const pair = generateKeyPair('ed25519');
const key = { keyId: pair.keyId, privateKey: pair.privateKey };
const keys = [{ keyId: pair.keyId, publicKey: pair.publicKey }];

function envelope(overrides: Partial<WireEnvelope> = {}): WireEnvelope {
  return {
    dispatchId: '0190f1a2-7b3c-7d4e-8f00-112233445566',
    agentId: 'agent-1',
    minerIds: ['m1', 'm2'],
    nonce: newNonce(),
    issuedAtMs: 1_700_000_000_000,
    expiresAtMs: 1_700_000_600_000,
    effectTimeoutS: 120,
    ...overrides,
  };
}

t.test('wire: every action encodes, signs and verifies with the agent check', async (t) => {
  const ref = { credentialId: 'cred-1', version: 3 };
  const cases: [WireAction, (c: hashinsight.v1.Command) => void][] = [
    [{ type: 'reboot' }, (c) => t.equal(c.action, 'reboot')],
    [{ type: 'restart_mining' }, (c) => t.equal(c.action, 'restartMining')],
    [{ type: 'wake' }, (c) => t.equal(c.action, 'wake')],
    [
      {
        type: 'set_pools',
        pools: [
          { url: 'stratum+tcp://pool.example:3333', user: 'w.1', password: ref },
          { url: 'stratum+tcp://backup.example:3333', user: 'w.1' },
        ],
      },
      (c) =>
        t.same(
          c.setPools?.pools?.map((p) => [p.url, p.user, p.passwordCredentialId]),
          [
            ['stratum+tcp://pool.example:3333', 'w.1', 'cred-1'],
            ['stratum+tcp://backup.example:3333', 'w.1', ''],
          ],
        ),
    ],
    [
      { type: 'led', on: true, durationS: 300 },
      (c) => t.same([c.setLed?.on, c.setLed?.durationS], [true, 300]),
    ],
    [
      { type: 'led', on: false, durationS: 300 },
      (c) => t.same([c.setLed?.on, c.setLed?.durationS], [false, 0]),
    ],
    [{ type: 'power_mode', mode: 'sleep' }, (c) => t.equal(c.setPowerMode?.mode, PowerMode.POWER_MODE_SLEEP)],
    [{ type: 'power_mode', mode: 'high' }, (c) => t.equal(c.setPowerMode?.mode, PowerMode.POWER_MODE_HIGH)],
    [{ type: 'power_limit_w', watts: 3100 }, (c) => t.equal(c.setPowerLimit?.watts, 3100)],
    [
      { type: 'update_credentials', credential: ref },
      (c) =>
        t.same([c.updateCredentials?.credentialId, c.updateCredentials?.credentialVersion], ['cred-1', 3]),
    ],
    [
      { type: 'cancel', dispatchId: 'earlier-dispatch' },
      (c) => t.equal(c.cancel?.commandId, 'earlier-dispatch'),
    ],
  ];
  for (const [action, check] of cases) {
    const env = envelope();
    const bytes = signedMessage(env, action, key);
    const command = verifyCommand(bytes, keys);
    t.equal(command.commandId, env.dispatchId);
    t.equal(command.agentId, 'agent-1');
    t.same(command.minerIds, ['m1', 'm2']);
    t.same(Buffer.from(command.nonce), Buffer.from(env.nonce));
    t.equal(Number(command.expiresAtMs), env.expiresAtMs);
    t.equal(command.effectTimeoutS, 120);
    check(command);
  }
});

t.test('wire: the same stored fields give the same bytes; another nonce or agent does not', async (t) => {
  const env = envelope();
  const a = signedMessage(env, { type: 'reboot' }, key);
  t.same(
    Buffer.from(signedMessage(env, { type: 'reboot' }, key)),
    Buffer.from(a),
    'resend is byte-identical',
  );
  t.notSame(
    Buffer.from(signedMessage({ ...env, nonce: newNonce() }, { type: 'reboot' }, key)),
    Buffer.from(a),
  );
  const tampered = Buffer.from(a);
  tampered[10] = (tampered[10] ?? 0) ^ 1;
  t.throws(() => verifyCommand(tampered, keys), 'a flipped bit fails verification');
  t.equal(newNonce().length, 16);
  t.notSame(Buffer.from(newNonce()), Buffer.from(newNonce()));
});

t.test('wire: the contract refuses a message without targets or with a bad id', async (t) => {
  t.throws(() => signedMessage(envelope({ minerIds: [] }), { type: 'reboot' }, key), {
    code: 'PROTOCOL_INVALID',
  });
  t.throws(() => signedMessage(envelope({ dispatchId: 'a/b' }), { type: 'reboot' }, key), {
    code: 'PROTOCOL_INVALID',
  });
});

t.test('wire: credentials each action needs sent first', async (t) => {
  const a = { credentialId: 'a', version: 1 };
  const b = { credentialId: 'b', version: 2 };
  t.same(credentialsOf({ type: 'update_credentials', credential: a }), [a]);
  t.same(
    credentialsOf({
      type: 'set_pools',
      pools: [
        { url: 'u', user: 'x', password: a },
        { url: 'v', user: 'y' },
        { url: 'w', user: 'z', password: b },
      ],
    }),
    [a, b],
  );
  t.same(credentialsOf({ type: 'reboot' }), []);
});

t.test('updates: every reported state maps; bad bytes are answered, never thrown', async (t) => {
  const encode = (fields: Partial<hashinsight.v1.CommandUpdate.$Properties>) =>
    commandUpdateCodec.encode({ commandId: 'd-1', minerId: 'm1', state: 3, atMs: 5, ...fields });
  const states: [number, string][] = [
    [CommandState.COMMAND_STATE_RECEIVED, 'received'],
    [CommandState.COMMAND_STATE_RUNNING, 'running'],
    [CommandState.COMMAND_STATE_SUCCEEDED, 'succeeded'],
    [CommandState.COMMAND_STATE_FAILED, 'failed'],
    [CommandState.COMMAND_STATE_REJECTED, 'rejected'],
    [CommandState.COMMAND_STATE_EXPIRED, 'expired'],
    [CommandState.COMMAND_STATE_TIMED_OUT, 'timed_out'],
    [CommandState.COMMAND_STATE_CANCELLED, 'cancelled'],
  ];
  for (const [state, name] of states) {
    const decoded = decodeUpdate(encode({ state }));
    t.ok(decoded.ok);
    if (decoded.ok) t.match(decoded.report, { dispatchId: 'd-1', minerId: 'm1', state: name, atMs: 5 });
  }
  const unknown = decodeUpdate(encode({ state: 42 as hashinsight.v1.CommandState }));
  t.match(
    unknown,
    { ok: false, code: 'PROTOCOL_INVALID' },
    'a state from a newer agent is counted, not applied',
  );

  for (const bytes of [
    Buffer.alloc(0),
    Buffer.from([0xff, 0xff, 0xff]),
    Buffer.from('not protobuf at all, just text'),
    Buffer.alloc(300 * 1024, 1),
  ]) {
    const decoded = decodeUpdate(bytes);
    t.equal(decoded.ok, false, `${bytes.length} hostile bytes refused`);
  }
  // A valid update whose ids break the contract is refused too.
  const badId = Buffer.from(
    hashinsight.v1.CommandUpdate.encode({ commandId: '../x', minerId: 'm1', state: 3 }).finish(),
  );
  t.match(decodeUpdate(badId), { ok: false, code: 'PROTOCOL_INVALID' });
});

t.test('updates: agent text is cut and cleaned, error codes kept only in AREA_REASON shape', async (t) => {
  const long = decodeUpdate(
    commandUpdateCodec.encode({
      commandId: 'd-1',
      minerId: 'm1',
      state: 4,
      message: `line1\nline2\u0000\u001b[31m${'x'.repeat(5000)}`,
      errorCode: 'MINER_TIMEOUT',
    }),
  );
  t.ok(long.ok);
  if (long.ok) {
    t.equal(long.report.reason.length, MAX_REASON);
    for (const control of ['\n', '\u0000', '\u001b']) t.notOk(long.report.reason.includes(control));
    t.equal(long.report.errorCode, 'MINER_TIMEOUT');
  }
  const hostile = decodeUpdate(
    commandUpdateCodec.encode({ commandId: 'd-1', minerId: 'm1', state: 4, errorCode: '<script>' }),
  );
  t.ok(hostile.ok);
  if (hostile.ok) t.equal(hostile.report.errorCode, 'AGENT_ERROR');
  const quoting = decodeUpdate(
    commandUpdateCodec.encode({
      commandId: 'd-1',
      minerId: 'm1',
      state: 4,
      message: 'update_pools refused: passwd1=HI-CANARY-pool via http://root:HI-CANARY-web@10.0.0.5/',
    }),
  );
  t.ok(quoting.ok);
  if (quoting.ok) {
    t.notMatch(
      quoting.report.reason,
      'HI-CANARY',
      'a secret an older agent quoted is scrubbed before storage',
    );
    t.match(quoting.report.reason, 'update_pools refused');
  }
});

t.test('rollout: the per-minute budget of a site', async (t) => {
  t.equal(rolloutBudget(50, 0), 50);
  t.equal(rolloutBudget(50, 49), 1);
  t.equal(rolloutBudget(50, 50), 0);
  t.equal(rolloutBudget(50, 80), 0, 'never negative');
  t.equal(rolloutBudget(0, 0), 0);
  t.equal(rolloutBudget(-5, 0), 0);
  t.equal(rolloutBudget(Number.NaN, 0), 0);
  t.equal(rolloutBudget(2.9, 0), 2);
  t.equal(takeForSite(10, 50, 45), 5);
  t.equal(takeForSite(3, 50, 0), 3);
  t.equal(takeForSite(0, 50, 0), 0);
});

t.test('rollout: abort at the threshold, only after the minimum executed', async (t) => {
  const policy = { thresholdPct: 10, minExecuted: 20 };
  const o = (succeeded: number, failed: number, timedOut = 0, rejected = 0) => ({
    succeeded,
    failed,
    timedOut,
    rejected,
  });
  t.same(failureShare(o(5, 1, 2, 3)), { executed: 11, failures: 6 });
  t.notOk(shouldAbort(o(0, 19), policy), '19 failures of 19: not yet 20 executed');
  t.ok(shouldAbort(o(0, 20), policy), 'all 20 failed');
  t.ok(shouldAbort(o(18, 2), policy), '2 of 20 is exactly 10%');
  t.notOk(shouldAbort(o(19, 1), policy), '1 of 20 is 5%');
  t.ok(shouldAbort(o(17, 1, 1, 1), policy), 'failed, timed out and rejected all count');
  t.notOk(shouldAbort(o(30, 0), policy));
  t.notOk(shouldAbort(o(0, 0), policy));
  t.ok(shouldAbort(o(0, 1), { thresholdPct: 10, minExecuted: 0 }), 'a minimum of 0 acts as 1');
  t.ok(shouldAbort(o(99, 1), { thresholdPct: 0, minExecuted: 1 }), '0%: any failure aborts');
  t.notOk(shouldAbort(o(1, 99), { thresholdPct: 100, minExecuted: 1 }), '100%: only when all failed');
  t.ok(shouldAbort(o(0, 100), { thresholdPct: 100, minExecuted: 1 }));
});
