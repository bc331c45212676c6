// CancelCommand's own rules in judgeCommand: it must name an earlier, accepted command of this agent and only that
// command's targets; anything else is rejected (journaled and reported), never applied.
import { randomBytes } from 'node:crypto';
import { generateKeyPair, signCommand } from '@hashinsight/vault';
import t from 'tap';
import { judgeCommand, type VerifyContext } from './verify.js';

const key = generateKeyPair('ed25519');
const nowMs = Date.UTC(2026, 0, 1);
const context = (targets: Record<string, string[]>): VerifyContext => ({
  agentId: 'agent-1',
  keys: [{ keyId: key.keyId, publicKey: key.publicKey }],
  nowMs,
  maxLifetimeMs: 7 * 86_400_000,
  journalKeepsExpiredMs: 86_400_000,
  seen: () => false,
  isOwnMiner: () => true,
  targetsOf: (commandId) => targets[commandId],
});
const cancel = (commandId: string, minerIds: string[], ownId = 'cancel-1') =>
  signCommand(
    {
      commandId: ownId,
      agentId: 'agent-1',
      nonce: randomBytes(16),
      issuedAtMs: nowMs,
      expiresAtMs: nowMs + 60_000,
      minerIds,
      cancel: { commandId },
    },
    key,
  );

t.test('a cancel of known targets of a journaled command is accepted', async (t) => {
  const verdict = judgeCommand(cancel('reboot-1', ['m1']), context({ 'reboot-1': ['m1', 'm2'] }));
  t.equal(verdict.kind, 'accept');
});

t.test('bad cancels are rejected with a reason', async (t) => {
  const known = context({ 'reboot-1': ['m1', 'm2'] });
  for (const [name, bytes, reason] of [
    ['no id', cancel('', ['m1']), /needs the id/],
    ['itself', cancel('cancel-1', ['m1']), /needs the id/],
    ['unknown command', cancel('nope', ['m1']), /not in this agent's journal/],
    ['a stranger', cancel('reboot-1', ['m1', 'm3']), /not targets of reboot-1: m3/],
    ['a long hostile id', cancel('x'.repeat(5000), ['m1']), /not in this agent's journal/],
  ] as const) {
    const verdict = judgeCommand(bytes, known);
    t.match(verdict, { kind: 'reject', state: 'rejected', code: 'COMMAND_INVALID', reason }, name);
    if (verdict.kind === 'reject') t.ok(verdict.reason.length < 200, `${name}: the reason is bounded`);
  }
});
