import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveKey, type KeyWrapper, LocalKeyring, parseKeyring, type VaultError } from '@hashinsight/vault';
import { ConfigError } from '../../config/index.js';

// Where the master key comes from: HASHINSIGHT_MASTER_KEY (one base64 key, or a keyring "1:<b64>,2:<b64>" whose
// highest version wraps), else HASHINSIGHT_MASTER_KEY_FILE (the same text in a file), else dataDir/master-key,
// generated once with mode 0600 like jwt-secret. Losing it loses every stored credential: back it up apart from
// the database, which is the point.

export const MASTER_KEY_FILE = 'master-key';

export interface MasterKeySettings {
  dataDir: string;
  masterKey?: string | undefined;
  masterKeyFile?: string | undefined;
}

function parsed(text: string, setting: string): LocalKeyring {
  try {
    return parseKeyring(text);
  } catch (error) {
    // The VaultError message names the entry, never the key text.
    throw new ConfigError(setting, `${setting}: ${(error as VaultError).message}`, { cause: error });
  }
}

/** The configured master key as a KeyWrapper (a KMS-backed one would implement the same interface). */
export async function loadMasterKey(settings: MasterKeySettings): Promise<KeyWrapper> {
  if (settings.masterKey !== undefined) return parsed(settings.masterKey, 'HASHINSIGHT_MASTER_KEY');
  if (settings.masterKeyFile !== undefined) {
    let text: string;
    try {
      text = await readFile(settings.masterKeyFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        'HASHINSIGHT_MASTER_KEY_FILE',
        `HASHINSIGHT_MASTER_KEY_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        { cause: error },
      );
    }
    return parsed(text, 'HASHINSIGHT_MASTER_KEY_FILE');
  }
  const file = join(settings.dataDir, MASTER_KEY_FILE);
  await mkdir(settings.dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': two processes starting together cannot overwrite each other's key.
    await writeFile(file, `1:${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parsed(await readFile(file, 'utf8'), 'HASHINSIGHT_MASTER_KEY_FILE');
}

/**
 * For apps built without a configured master key (tests, embedding): a key derived from the JWT secret, so two
 * apps over one database agree. server.ts always passes the configured one.
 */
export function derivedMasterKey(jwtSecret: string): KeyWrapper {
  return new LocalKeyring(
    new Map([[1, deriveKey(Buffer.from(jwtSecret), 'hashinsight/v1 derived master key')]]),
  );
}
