import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import { sql } from 'kysely';
import t from 'tap';
import { loadCloudConfig, printableConfig } from '../../config/index.js';
import { openDatabase } from '../../db/index.js';
import type { Broker } from '../../plugins/broker.js';
import { startTestCloud } from '../../test/helpers.js';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key.js';
import { Vault } from './service.js';

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

t.test('the configured key is masked in the printed config', async (t) => {
  const secret = key();
  const config = loadCloudConfig({ HASHINSIGHT_MASTER_KEY: `1:${secret}` });
  t.equal(printableConfig(config).masterKey, '********');
  t.notMatch(JSON.stringify(printableConfig(config)), secret);
  t.throws(
    () => loadCloudConfig({ HASHINSIGHT_MASTER_KEY: '   ' }),
    /HASHINSIGHT_MASTER_KEY must not be blank/,
  );
});

t.test('a cloud restarted over its data folder keeps its master key and signing key', async (t) => {
  const dataDir = tempDir(t);
  const first = await startTestCloud(t, { dataDir });
  await first.cloud.close();
  const db = openDatabase({ dataDir });
  const signing = async () =>
    (
      await sql<{ private_key: string; kek_version: number }>`select private_key, kek_version
      from command_signing_key`.execute(db)
    ).rows;
  t.same(await signing(), [{ private_key: '', kek_version: 1 }], 'wrapped at the first start');
  await db.destroy();
  const second = await startTestCloud(t, { dataDir });
  const keyFile = await readFile(join(dataDir, MASTER_KEY_FILE), 'utf8');
  await second.cloud.close();
  const again = openDatabase({ dataDir });
  t.teardown(() => again.destroy());
  const vault = new Vault({
    db: again,
    broker: {} as Broker,
    masterKey: await loadMasterKey({ dataDir }),
    logger: second.logs.logger,
  });
  t.ok((await vault.signingKey()).keyId, 'the kept master key unwraps what the first start wrapped');
  t.equal(await readFile(join(dataDir, MASTER_KEY_FILE), 'utf8'), keyFile, 'the key file is never rewritten');
  t.notMatch(second.logs.text(), /vault rewrap at start failed/);
  t.notMatch(second.logs.text(), /PRIVATE KEY/);
});
