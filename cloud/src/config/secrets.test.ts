import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@hashinsight/testkit';
import t from 'tap';
import { ConfigError, JWT_SECRET_FILE, loadOrCreateJwtSecret } from './index.js';

t.test('a JWT secret is generated once, kept with mode 0600 and reused', async (t) => {
  const dataDir = join(tempDir(t), 'nested', 'data');
  const first = await loadOrCreateJwtSecret(dataDir);
  t.ok(first.length >= 43, '32 random bytes in base64url');
  t.equal(statSync(join(dataDir, JWT_SECRET_FILE)).mode & 0o777, 0o600);
  t.equal(await loadOrCreateJwtSecret(dataDir), first, 'the same key after a restart');
});

t.test('a truncated secret file is a ConfigError, not a weak key', async (t) => {
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, JWT_SECRET_FILE), 'short\n');
  await t.rejects(loadOrCreateJwtSecret(dataDir), ConfigError);
});
