import { loadCloudConfig } from '../../config/index.js';
import { openDatabase } from '../../db/index.js';
import { verifyAuditChain } from './service.js';

/**
 * `hashinsight-cloud audit-verify`: walks the audit chain of the configured database. Exit 0 with the row count
 * and the latest hash (keep it elsewhere to also detect removal of the newest rows); exit 1 naming the first
 * broken row.
 */
export async function auditVerifyCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  if (args.length > 0) {
    print('usage: hashinsight-cloud audit-verify');
    return 2;
  }
  const config = loadCloudConfig(env);
  const db = openDatabase(config);
  try {
    const verdict = await verifyAuditChain(db);
    if (!verdict.intact) {
      print(
        `audit log BROKEN at seq ${verdict.brokenSeq}: ${verdict.reason} (${verdict.rows} rows before it verified)`,
      );
      return 1;
    }
    print(`audit log intact: ${verdict.rows} rows, latest hash ${verdict.lastHash}`);
    return 0;
  } finally {
    await db.destroy();
  }
}
