import t from 'tap';
import {
  type AuditEntry,
  appendAudit,
  auditActor,
  type CredentialDraft,
  credentialBody,
  enrollCommand,
  filterAudit,
  PASSWORD_MAX,
  shellQuote,
  USERNAME_MAX,
} from './admin-lib';

t.test('the enrollment command is one line the shell reads as three arguments', async (t) => {
  t.equal(
    enrollCommand('https://cloud.example.com:8443', 'hie_AbC-123_x'),
    'npx hashinsight-agent enroll --cloud https://cloud.example.com:8443 --token hie_AbC-123_x',
  );
  // A hostile or odd value stays one quoted word: no command substitution, no second command.
  t.equal(shellQuote('$(rm -rf /)'), `'$(rm -rf /)'`);
  t.equal(shellQuote("a'b; echo x"), `'a'\\''b; echo x'`);
  t.equal(shellQuote('two\nlines'), `'two\nlines'`);
  t.equal(shellQuote(''), `''`);
});

const draft = (over: Partial<CredentialDraft> = {}): CredentialDraft => ({
  kind: 'site',
  siteId: 's1',
  model: '',
  miner: undefined,
  purpose: 'web',
  username: 'root',
  password: 'p@ss w0rd ',
  ...over,
});

t.test('credentialBody builds the PUT body per scope and keeps the password exactly as typed', async (t) => {
  t.same(credentialBody(draft()), {
    scope: { kind: 'site', siteId: 's1' },
    purpose: 'web',
    username: 'root',
    password: 'p@ss w0rd ',
  });
  t.same(credentialBody(draft({ kind: 'model', model: '  Antminer S19 ', purpose: 'api' })), {
    scope: { kind: 'model', model: 'Antminer S19' },
    purpose: 'api',
    username: 'root',
    password: 'p@ss w0rd ',
  });
  t.same(credentialBody(draft({ kind: 'miner', miner: { agentId: 'a1', minerId: 'm1' } })), {
    scope: { kind: 'miner', agentId: 'a1', minerId: 'm1' },
    purpose: 'web',
    username: 'root',
    password: 'p@ss w0rd ',
  });
});

t.test('credentialBody names what is missing or too long', async (t) => {
  t.equal(credentialBody(draft({ siteId: '' })), 'credSiteRequired');
  t.equal(credentialBody(draft({ kind: 'model', model: '   ' })), 'credModelRequired');
  t.equal(credentialBody(draft({ kind: 'model', model: 'x'.repeat(129) })), 'credModelTooLong');
  t.equal(credentialBody(draft({ kind: 'miner' })), 'credMinerRequired');
  t.equal(credentialBody(draft({ username: ' \t' })), 'credUsernameRequired');
  t.equal(credentialBody(draft({ username: 'u'.repeat(USERNAME_MAX + 1) })), 'credUsernameTooLong');
  t.equal(credentialBody(draft({ password: '' })), 'credPasswordRequired');
  t.equal(credentialBody(draft({ password: 'p'.repeat(PASSWORD_MAX + 1) })), 'credPasswordTooLong');
  t.type(credentialBody(draft({ password: 'p'.repeat(PASSWORD_MAX) })), 'object', 'the limit itself is fine');
});

const entry = (seq: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  seq,
  at: '2026-01-01T00:00:00.000Z',
  actorKind: 'user',
  actorId: 'u1',
  email: 'ops@example.com',
  method: 'POST',
  route: '/api/agents/:id/revoke',
  targetId: 'agent-7',
  statusCode: 200,
  outcome: 'success',
  requestId: 'req-1',
  ip: '127.0.0.1',
  hash: 'h',
  ...over,
});

t.test('auditActor prefers the email, then the id, then the kind', async (t) => {
  t.equal(auditActor(entry(1)), 'ops@example.com');
  t.equal(auditActor(entry(1, { email: null })), 'u1');
  t.equal(auditActor(entry(1, { email: null }), new Map([['u1', 'named@example.com']])), 'named@example.com');
  t.equal(auditActor(entry(1, { email: null }), new Map([['u2', 'other@example.com']])), 'u1');
  t.equal(auditActor(entry(1, { email: null, actorId: null, actorKind: 'anonymous' })), 'anonymous');
});

t.test('filterAudit keeps entries containing every word, case-insensitively', async (t) => {
  const rows = [
    entry(3),
    entry(2, { method: 'PUT', route: '/api/credentials', targetId: null }),
    entry(1, { statusCode: 404, outcome: 'failure' }),
  ];
  t.equal(filterAudit(rows, ''), rows, 'an empty filter is the same list');
  t.equal(filterAudit(rows, '   ').length, 3);
  t.same(
    filterAudit(rows, 'CREDENTIALS').map((e) => e.seq),
    [2],
  );
  t.same(
    filterAudit(rows, 'revoke 404').map((e) => e.seq),
    [1],
  );
  t.same(
    filterAudit(rows, 'failure').map((e) => e.seq),
    [1],
  );
  t.same(
    filterAudit(rows, 'nothing-like-this').map((e) => e.seq),
    [],
  );
  // The actor is matched as shown: by the email known for its id.
  const byId = [entry(9, { email: null, actorId: 'u9' })];
  t.same(
    filterAudit(byId, 'boss@').map((e) => e.seq),
    [],
  );
  t.same(
    filterAudit(byId, 'boss@', new Map([['u9', 'boss@example.com']])).map((e) => e.seq),
    [9],
  );
  // Regex characters are plain text.
  t.same(
    filterAudit(rows, '.*').map((e) => e.seq),
    [],
  );
});

t.test('appendAudit adds a page without repeating entries already loaded', async (t) => {
  const merged = appendAudit([entry(5), entry(4)], [entry(4), entry(3)]);
  t.same(
    merged.map((e) => e.seq),
    [5, 4, 3],
  );
});
