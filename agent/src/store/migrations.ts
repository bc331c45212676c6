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
  // Issue #4: inventory keyed by a stable identity, local events, scans, packed outbox batches with gap records,
  // the command journal and the sealed-credential cache. The per-sample outbox of step 1 is superseded by
  // outbox_batch; step 1's rows are moved over by the outbox module on open (see outbox.ts).
  `CREATE TABLE miner (
     miner_id TEXT PRIMARY KEY,           -- MAC (hex, no separators), else serial, else 'ip-' + IP
     ip TEXT NOT NULL,
     port INTEGER NOT NULL,
     mac TEXT,
     serial TEXT,
     vendor TEXT NOT NULL,
     model TEXT,
     firmware TEXT,
     hostname TEXT,
     driver TEXT NOT NULL,                -- driver id that identified it, e.g. 'antminer-stock'
     first_seen_ms INTEGER NOT NULL,
     last_seen_ms INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'unknown' CHECK (state IN ('unknown', 'online', 'offline')),
     state_since_ms INTEGER,
     -- the most recent successful sample, for the technician's status view
     last_hashrate_mhs INTEGER,
     last_max_temp_dc INTEGER,
     last_status TEXT
   );
   CREATE INDEX miner_by_ip ON miner (ip);
   CREATE TABLE miner_ip_change (
     miner_id TEXT NOT NULL REFERENCES miner (miner_id) ON DELETE CASCADE,
     at_ms INTEGER NOT NULL,
     old_ip TEXT NOT NULL,
     new_ip TEXT NOT NULL
   );
   CREATE INDEX miner_ip_change_by_miner ON miner_ip_change (miner_id, at_ms);
   CREATE TABLE event (
     id INTEGER PRIMARY KEY,
     at_ms INTEGER NOT NULL,
     kind TEXT NOT NULL,                  -- miner.online, miner.offline, miner.ip_changed, scan.finished, outbox.gap ...
     miner_id TEXT,
     detail TEXT                          -- JSON
   );
   CREATE INDEX event_by_time ON event (at_ms);
   CREATE TABLE scan (
     scan_id TEXT PRIMARY KEY,
     started_ms INTEGER NOT NULL,
     finished_ms INTEGER,
     ranges TEXT NOT NULL,                -- JSON array as written
     probed INTEGER NOT NULL DEFAULT 0,
     found INTEGER NOT NULL DEFAULT 0,
     unidentified INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE outbox_batch (
     epoch INTEGER NOT NULL,
     first_seq INTEGER NOT NULL,
     last_seq INTEGER NOT NULL,
     samples INTEGER NOT NULL,
     oldest_time_ms INTEGER NOT NULL,
     newest_time_ms INTEGER NOT NULL,
     bytes INTEGER NOT NULL,              -- length of payload
     payload BLOB NOT NULL,               -- packed samples, exactly as they go on the wire
     PRIMARY KEY (epoch, first_seq)
   ) WITHOUT ROWID;
   CREATE TABLE outbox_gap (
     id INTEGER PRIMARY KEY,
     epoch INTEGER NOT NULL,
     first_seq INTEGER NOT NULL,
     last_seq INTEGER NOT NULL,
     samples INTEGER NOT NULL,
     oldest_time_ms INTEGER NOT NULL,
     newest_time_ms INTEGER NOT NULL,
     dropped_at_ms INTEGER NOT NULL,
     reason TEXT NOT NULL
   );
   CREATE TABLE command (
     command_id TEXT PRIMARY KEY,
     received_ms INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL,
     payload BLOB NOT NULL,               -- the signed Command exactly as received
     verdict TEXT NOT NULL                -- accepted, or the rejection code
   ) WITHOUT ROWID;
   CREATE TABLE command_target (
     command_id TEXT NOT NULL REFERENCES command (command_id) ON DELETE CASCADE,
     miner_id TEXT NOT NULL,
     state TEXT NOT NULL,                 -- received, running, succeeded, failed, rejected, expired
     updated_ms INTEGER NOT NULL,
     message TEXT NOT NULL DEFAULT '',
     error_code TEXT NOT NULL DEFAULT '',
     reported INTEGER NOT NULL DEFAULT 0, -- 1 once the cloud has the update for this state
     PRIMARY KEY (command_id, miner_id)
   ) WITHOUT ROWID;
   CREATE TABLE sealed_credential (
     credential_id TEXT PRIMARY KEY,
     version INTEGER NOT NULL,
     scope INTEGER NOT NULL,
     miner_ids TEXT NOT NULL,             -- JSON array; empty: the default for its scope
     payload BLOB NOT NULL,               -- the SealedCredential as received: still sealed at rest
     received_ms INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // Commands (issue #4): the signed nonce of each journaled command, unique so a replay under a fresh command id is
  // refused too; refusals of messages that are not authentic commands (bad signature, malformed, replayed, for
  // another agent) in their own table, so a forged command can never occupy the id of a real one; every state change
  // of a target queued as an update until the broker has it, so the cloud sees each state even after an outage.
  `ALTER TABLE command ADD COLUMN nonce BLOB;
   CREATE UNIQUE INDEX command_by_nonce ON command (nonce);
   CREATE TABLE command_refusal (
     id INTEGER PRIMARY KEY,
     received_ms INTEGER NOT NULL,
     command_id TEXT,                     -- as the message claims it, when it could be read
     code TEXT NOT NULL,                  -- COMMAND_BAD_SIGNATURE, COMMAND_REPLAYED, ...
     reason TEXT NOT NULL,
     payload BLOB NOT NULL                -- the bytes as received (at most one message)
   );
   CREATE INDEX command_refusal_by_time ON command_refusal (received_ms);
   CREATE TABLE command_update (
     id INTEGER PRIMARY KEY,              -- the order they are sent in
     command_id TEXT NOT NULL,
     miner_id TEXT NOT NULL,
     state TEXT NOT NULL,
     at_ms INTEGER NOT NULL,
     message TEXT NOT NULL DEFAULT '',
     error_code TEXT NOT NULL DEFAULT '',
     FOREIGN KEY (command_id, miner_id) REFERENCES command_target (command_id, miner_id) ON DELETE CASCADE
   );`,
  // Outbox: outbox_batch as an ordinary rowid table. Its rows are kilobytes (a packed poll flush) and SQLite keeps
  // WITHOUT ROWID rows that size badly (measured: 106 B a sample on disk for 69 B of payload; as a rowid table 74).
  `CREATE TABLE outbox_batch_new (
     epoch INTEGER NOT NULL,
     first_seq INTEGER NOT NULL,
     last_seq INTEGER NOT NULL,
     samples INTEGER NOT NULL,
     oldest_time_ms INTEGER NOT NULL,
     newest_time_ms INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     payload BLOB NOT NULL,
     PRIMARY KEY (epoch, first_seq)
   );
   INSERT INTO outbox_batch_new SELECT epoch, first_seq, last_seq, samples, oldest_time_ms, newest_time_ms, bytes, payload
     FROM outbox_batch ORDER BY epoch, first_seq;
   DROP TABLE outbox_batch;
   ALTER TABLE outbox_batch_new RENAME TO outbox_batch;`,
  // Issue #6. Effect observation: when the miner accepted a target's action and until when the agent watches for
  // its effect, journaled so a restart resumes watching instead of acting again. Sealed credentials keep each
  // version apart: a newer version stays pending (the old login keeps being used) until the miner confirmed it;
  // claimed_by names the update_credentials command carrying it. LED timers survive restarts.
  `ALTER TABLE command_target ADD COLUMN acted_ms INTEGER;
   ALTER TABLE command_target ADD COLUMN observe_until_ms INTEGER;
   CREATE TABLE sealed_credential_new (
     credential_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     scope INTEGER NOT NULL,
     miner_ids TEXT NOT NULL,             -- JSON array; empty: the default for its scope
     payload BLOB NOT NULL,               -- the SealedCredential as received: still sealed at rest
     received_ms INTEGER NOT NULL,
     pending INTEGER NOT NULL DEFAULT 0,  -- 1 until the miner confirmed it (or no other version was held)
     claimed_by TEXT,                     -- command id of the update_credentials that carries it to the miner
     PRIMARY KEY (credential_id, version)
   ) WITHOUT ROWID;
   INSERT INTO sealed_credential_new (credential_id, version, scope, miner_ids, payload, received_ms)
     SELECT credential_id, version, scope, miner_ids, payload, received_ms FROM sealed_credential;
   DROP TABLE sealed_credential;
   ALTER TABLE sealed_credential_new RENAME TO sealed_credential;
   CREATE TABLE led_timer (
     miner_id TEXT PRIMARY KEY,
     off_at_ms INTEGER NOT NULL,          -- when the agent turns the LED off again
     command_id TEXT NOT NULL             -- the command that lit it
   ) WITHOUT ROWID;`,
  // The miner's uptime read just before a reboot or restart was sent: a run younger than it, by more than the time
  // since, proves the restart even when it happened within a second of the action.
  `ALTER TABLE command_target ADD COLUMN baseline_uptime_s INTEGER;`,
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
