// Miner IP ciphers for tests that call the ingest or the miners services without an app: the real vault over
// the test database, with the master key an app built with JWT_SECRET derives, so an app opened on the same
// database later reads what these sealed.
import type { Test } from 'tap';
import type { Db } from '../db/index.js';
import { TenantIpCiphers } from '../features/miners/index.js';
import { derivedMasterKey, Vault } from '../features/vault/index.js';
import { createEmbeddedBroker } from '../plugins/broker.js';
import { captureLogs, JWT_SECRET } from './helpers.js';

export async function vaultIpCiphers(t: Test, db: Db): Promise<TenantIpCiphers> {
  const logs = captureLogs();
  // The vault's constructor takes a broker (credential delivery); IP ciphers never publish.
  const broker = await createEmbeddedBroker(logs.logger, { verifyAgent: async () => false });
  t.teardown(() => broker.close());
  const vault = new Vault({ db, broker, masterKey: derivedMasterKey(JWT_SECRET), logger: logs.logger });
  return new TenantIpCiphers((tenantId) => vault.fieldCipher(tenantId));
}
