import type Database from 'better-sqlite3';

// Ordered schema steps; PRAGMA user_version records how many have run. Append only, never edit a shipped step.
const MIGRATIONS: string[] = [
  `CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE outbox (
     epoch INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     miner_id TEXT NOT NULL,
     time_ms INTEGER NOT NULL,
     sample BLOB NOT NULL,
     PRIMARY KEY (epoch, seq)
   ) WITHOUT ROWID;`,
];

export function migrate(db: Database.Database): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    throw new Error(`agent store schema ${applied} is newer than this agent knows (${MIGRATIONS.length})`);
  }
  for (let version = applied; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
