import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared corpus of real recorded miner replies: HASHINSIGHT_FIXTURES_DIR, else `shared/fixtures/asic` beside
 * the repository (where CI and every developer machine have it). It is read in place, never copied in, because
 * its files carry their sources' licences.
 */
export const CORPUS_DIR = resolve(
  process.env.HASHINSIGHT_FIXTURES_DIR ||
    join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'asic'),
);

/** Why corpus tests cannot run here, or false when they can. */
export const corpusMissing: string | false = existsSync(join(CORPUS_DIR, 'SOURCES.md'))
  ? false
  : `the recorded-reply corpus is not at ${CORPUS_DIR} (set HASHINSIGHT_FIXTURES_DIR)`;

/** The bytes of one corpus file, by its path inside the corpus (e.g. `antminer-bmminer/stats.json`). */
export function corpusFile(path: string): Buffer {
  return readFileSync(join(CORPUS_DIR, path));
}
