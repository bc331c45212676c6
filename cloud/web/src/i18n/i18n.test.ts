import t from 'tap';
import { dictionaries, translate } from './index';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

t.test('every Chinese message has the English keys and the same placeholders', async (t) => {
  const { en, zh } = dictionaries;
  for (const [area, messages] of Object.entries(en)) {
    const translated = zh[area as keyof typeof zh] as Record<string, string>;
    t.same(Object.keys(translated).sort(), Object.keys(messages).sort(), `${area}: same keys`);
    for (const [key, text] of Object.entries(messages as Record<string, string>)) {
      t.same(placeholders(translated[key] ?? ''), placeholders(text), `${area}.${key}: same placeholders`);
      t.ok((translated[key] ?? '').trim().length > 0, `${area}.${key}: not empty`);
    }
  }
});

t.test('translate fills placeholders and leaves unknown ones visible', async (t) => {
  t.equal(translate('en', 'common.signedInAs', { email: 'a@b.c' }), 'Signed in as a@b.c');
  t.equal(translate('zh', 'common.signedInAs', { email: 'a@b.c' }), '已登录：a@b.c');
  t.equal(translate('en', 'common.signedInAs'), 'Signed in as {email}');
  // A value is inserted as text once: a placeholder inside it is not expanded again.
  t.equal(translate('en', 'common.signedInAs', { email: '{email}' }), 'Signed in as {email}');
});
