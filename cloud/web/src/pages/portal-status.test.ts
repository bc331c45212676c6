import t from 'tap';
import { translate } from '../i18n';
import { MINER_STATUSES } from './miners-query';
import { statusLabel } from './portal-status';

t.test('every fleet status has its own words in both languages', async (t) => {
  for (const lang of ['en', 'zh'] as const) {
    const say = (key: Parameters<typeof translate>[1]) => translate(lang, key);
    const labels = MINER_STATUSES.map((status) => statusLabel(say, status));
    t.equal(new Set(labels).size, MINER_STATUSES.length, `${lang}: distinct`);
    for (const label of labels) t.notMatch(label, /^portal\./, `${lang}: ${label} is a message, not a key`);
  }
  t.equal(
    statusLabel((key) => translate('en', key), 'auth_failed'),
    'Login failed',
  );
  t.equal(
    statusLabel((key) => translate('zh', key), 'offline'),
    '离线',
  );
});

t.test('a status the console does not know yet is shown as the cloud names it', async (t) => {
  const say = (key: Parameters<typeof translate>[1]) => translate('en', key);
  t.equal(statusLabel(say, 'overheated'), 'overheated');
  // Names of Object.prototype are statuses like any other, not dictionary lookups.
  t.equal(statusLabel(say, 'constructor'), 'constructor');
  t.equal(statusLabel(say, '__proto__'), '__proto__');
});
