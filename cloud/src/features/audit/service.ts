import type { Db } from '../../db/index.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import { chainPage } from './repository.js';

export type ChainVerdict =
  | { intact: true; rows: number }
  | { intact: false; rows: number; brokenSeq: number; reason: string };

const PAGE = 1000;

/**
 * Walks the whole chain in order and names the first row that does not link: a changed row (its hash no
 * longer matches), a removed or inserted row (seq gap, or prev_hash not the previous row's hash). Removing the
 * newest rows leaves a shorter chain that still links; an operator who needs that covered keeps the latest
 * hash elsewhere (the verify command prints it).
 */
export async function verifyAuditChain(db: Db): Promise<ChainVerdict & { lastHash: string }> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let rows = 0;
  for (;;) {
    const page = await chainPage(db, expectedSeq - 1, PAGE);
    for (const row of page) {
      const seq = Number(row.seq);
      const broken = (reason: string) => ({
        intact: false as const,
        rows,
        brokenSeq: seq,
        reason,
        lastHash: prevHash,
      });
      if (seq !== expectedSeq) return broken(`expected seq ${expectedSeq}: rows are missing before it`);
      if (row.prev_hash !== prevHash) return broken('prev_hash does not match the previous row');
      const { prev_hash: _prev, hash, ...fields } = row;
      if (
        chainHash(prevHash, { ...fields, seq, at: Number(row.at), status_code: Number(row.status_code) }) !==
        hash
      )
        return broken('its content does not match its hash (the row was changed)');
      prevHash = hash;
      expectedSeq += 1;
      rows += 1;
    }
    if (page.length < PAGE) return { intact: true, rows, lastHash: prevHash };
  }
}
