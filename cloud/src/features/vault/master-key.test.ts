import { randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import t from 'tap';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key.js';

const key = () => randomBytes(32).toString('base64');

t.test('generated once into dataDir/master-key with mode 0600, then reused', async (t) => {
  const dataDir = tempDir(t);
  const first = await loadMasterKey({ dataDir });
  const wrapped = await first.wrap(Buffer.from('x'), 'ctx');
  const again = await loadMasterKey({ dataDir });
  t.equal((await again.unwrap(wrapped, 'ctx')).toString(), 'x', 'the same key after a restart');
  t.equal((await stat(join(dataDir, MASTER_KEY_FILE))).mode & 0o777, 0o600);
});

t.test('HASHINSIGHT_MASTER_KEY wins, a keyring gives versions, a file works too', async (t) => {
  const dataDir = tempDir(t);
  const k1 = key();
  const ring = await loadMasterKey({ dataDir, masterKey: `1:${k1},2:${key()}` });
  t.equal(ring.currentVersion, 2);
  const file = join(dataDir, 'mounted-secret');
  await writeFile(file, `${k1}\n`);
  const fromFile = await loadMasterKey({ dataDir, masterKeyFile: file });
  t.equal(fromFile.currentVersion, 1);
  const wrapped = await fromFile.wrap(Buffer.from('y'), 'c');
  t.equal((await ring.unwrap(wrapped, 'c')).toString(), 'y', 'file key 1 = env key 1');
});

t.test('bad keys stop the start with a message naming the setting, never the key', async (t) => {
  const dataDir = tempDir(t);
  const short = randomBytes(16).toString('base64');
  await t.rejects(loadMasterKey({ dataDir, masterKey: short }), {
    code: 'CONFIG_INVALID',
    key: 'HASHINSIGHT_MASTER_KEY',
    message: /^HASHINSIGHT_MASTER_KEY: /,
  });
  const error = await loadMasterKey({ dataDir, masterKey: short }).catch((e: Error) => e);
  t.notMatch(String((error as Error).message), short);
  const missing = await loadMasterKey({ dataDir, masterKeyFile: join(dataDir, 'missing') }).catch(
    (e: unknown) => e,
  );
  t.match(missing, { key: 'HASHINSIGHT_MASTER_KEY_FILE' });
});
