import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './errors.js';

export const JWT_SECRET_FILE = 'jwt-secret';

/**
 * The JWT signing key kept in `dataDir/jwt-secret`: read when present, else 32 random bytes written once with
 * mode 0600. Keeping it across restarts keeps issued tokens valid.
 */
export async function loadOrCreateJwtSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, JWT_SECRET_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails when the file exists, so two processes starting together cannot overwrite each other's key.
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32) {
    throw new ConfigError(
      'HASHINSIGHT_JWT_SECRET',
      `${file} holds fewer than 32 characters: delete it to generate a new key or set HASHINSIGHT_JWT_SECRET`,
    );
  }
  return secret;
}
