import t from 'tap';
import { type MessageKey, translate } from '../i18n';
import { describeParams, describeTargets, personLabel, shortHash } from './commands-describe';
import { appendPage, mergeFirstPage } from './commands-list';
import type { CommandPage, CommandSummary } from './commands-types';

const en = (key: MessageKey, vars?: Record<string, string | number>) => translate('en', key, vars);
const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate('zh', key, vars);

t.test('params are described without secrets', async (t) => {
  const pools = {
    pools: [
      { url: 'stratum+tcp://a:3333', user: 'w1', password: { credentialId: 'c', version: 1 } },
      { url: 'stratum+tcp://b:3333', user: 'w2' },
    ],
  };
  const lines = describeParams('set_pools', pools, en);
  t.same(lines, [
    'Pool 1: stratum+tcp://a:3333 as w1 (password kept in the vault)',
    'Pool 2: stratum+tcp://b:3333 as w2',
  ]);
  t.notMatch(lines.join(' '), /credentialId|\bc\b/);
  t.same(describeParams('led', { on: true, durationS: 60 }, en), ['LED on for 60 s']);
  t.same(describeParams('power_mode', { mode: 'low' }, zh), ['功耗模式：低功耗']);
  t.same(describeParams('update_credentials', { purpose: 'api', username: 'root', generated: true }, en), [
    'API login: user root, a generated password per miner',
  ]);
  t.same(describeParams('reboot', {}, en), ['No settings']);
  t.same(describeParams('set_pools', { pools: 'not a list' }, en), [], 'malformed params: nothing');
});

t.test('targets in words', async (t) => {
  const names = (id: string) => ({ s1: 'Rack A' })[id];
  t.equal(describeTargets({ siteId: 's1' }, names, en), 'Every miner of site Rack A');
  t.equal(describeTargets({ siteId: 's9' }, names, en), 'Every miner of site s9', 'unknown site: its id');
  t.equal(describeTargets({ miners: [{ agentId: 'a', minerId: 'm' }] }, names, en), '1 selected miner');
  t.equal(
    describeTargets({ filter: { siteId: 's1', status: 'offline' } }, names, en),
    'Miners matching site: Rack A, status: offline',
  );
});

t.test('hash and people', async (t) => {
  t.equal(shortHash('0123456789abcdef'.repeat(4)), '0123456789ab…cdef');
  const emails = new Map([['u2', 'b@example.com']]);
  t.equal(personLabel('u1', 'u1', emails, en), 'you');
  t.equal(personLabel('u2', 'u1', emails, en), 'b@example.com');
  t.equal(personLabel('u3', 'u1', emails, en), 'u3');
  t.equal(personLabel(null, 'u1', emails, en), '—');
});

const summary = (id: string, status: CommandSummary['status'] = 'active'): CommandSummary => ({
  id,
  type: 'reboot',
  state: 'queued',
  status,
  targetCount: 1,
  createdBy: 'u1',
  createdAt: '2025-01-01T00:00:00.000Z',
  notBefore: '2025-01-01T00:00:00.000Z',
  expiresAt: '2025-01-01T01:00:00.000Z',
  canonicalHash: 'h',
  requiresApproval: false,
});
const page = (ids: string[], nextCursor: string | null): CommandPage => ({
  commands: ids.map((id) => summary(id)),
  nextCursor,
});

t.test('a fresh first page merges with the loaded pages', async (t) => {
  const loaded = page(['09', '08', '07', '06', '05', '04'], '04');
  // Two new commands; 08 left the filter.
  const fresh = page(['11', '10', '09', '07'], '07');
  const merged = mergeFirstPage(loaded, fresh);
  t.same(
    merged.commands.map((c) => c.id),
    ['11', '10', '09', '07', '06', '05', '04'],
  );
  t.equal(merged.nextCursor, '04', 'the loaded cursor still continues after the last loaded row');
  t.same(mergeFirstPage(loaded, page(['11', '10'], null)), page(['11', '10'], null), 'whole list: replaced');
  t.same(
    mergeFirstPage(page(['03'], '03'), page(['05', '04'], '04')),
    page(['05', '04', '03'], '03'),
    'a loaded row older than the fresh page stays, with its cursor',
  );
  t.same(mergeFirstPage(page(['04'], null), page(['05', '04'], '04')), page(['05', '04'], '04'));
});

t.test('appending a page skips rows already shown', async (t) => {
  const merged = appendPage(page(['05', '04'], '04'), page(['04', '03'], null));
  t.same(
    merged.commands.map((c) => c.id),
    ['05', '04', '03'],
  );
  t.equal(merged.nextCursor, null);
});
