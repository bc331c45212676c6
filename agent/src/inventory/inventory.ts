import type { Reading } from '@hashinsight/miners';
import type Database from 'better-sqlite3';
import { idStrength, ipFallbackId, maxTempDc, minerIdFor } from './identity.js';

export type MinerState = 'unknown' | 'online' | 'offline';

/** One known miner, as the inventory keeps it. */
export interface InventoryMiner {
  minerId: string;
  ip: string;
  port: number;
  mac?: string;
  serial?: string;
  vendor: Reading['vendor'];
  model?: string;
  firmware?: string;
  hostname?: string;
  /** Id of the driver that identified it, e.g. 'antminer-stock'. */
  driver: string;
  firstSeenMs: number;
  lastSeenMs: number;
  state: MinerState;
  stateSinceMs?: number;
  /** From the most recent successful reading. */
  lastHashrateMhs?: number;
  lastMaxTempDc?: number;
  lastStatus?: Reading['status'];
}

/** What one reading changed in the inventory. */
export interface UpsertResult {
  miner: InventoryMiner;
  /** First time this miner (under any id) was seen. */
  created: boolean;
  /** The address it had before, when it moved. */
  ipChangedFrom?: string;
  /** The weaker id it was known under (ip-… or its serial) until this reading named it more firmly. */
  renamedFrom?: string;
}

export interface InventoryEvent {
  id: number;
  atMs: number;
  kind: string;
  minerId?: string;
  detail?: unknown;
}

export interface ScanRecord {
  scanId: string;
  startedMs: number;
  finishedMs: number;
  ranges: string[];
  probed: number;
  found: number;
  unidentified: number;
}

interface MinerRow {
  miner_id: string;
  ip: string;
  port: number;
  mac: string | null;
  serial: string | null;
  vendor: string;
  model: string | null;
  firmware: string | null;
  hostname: string | null;
  driver: string;
  first_seen_ms: number;
  last_seen_ms: number;
  state: MinerState;
  state_since_ms: number | null;
  last_hashrate_mhs: number | null;
  last_max_temp_dc: number | null;
  last_status: string | null;
}

interface EventRow {
  id: number;
  at_ms: number;
  kind: string;
  miner_id: string | null;
  detail: string | null;
}

const ipKey = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

function toMiner(row: MinerRow): InventoryMiner {
  const miner: InventoryMiner = {
    minerId: row.miner_id,
    ip: row.ip,
    port: row.port,
    vendor: row.vendor as Reading['vendor'],
    driver: row.driver,
    firstSeenMs: row.first_seen_ms,
    lastSeenMs: row.last_seen_ms,
    state: row.state,
  };
  if (row.mac !== null) miner.mac = row.mac;
  if (row.serial !== null) miner.serial = row.serial;
  if (row.model !== null) miner.model = row.model;
  if (row.firmware !== null) miner.firmware = row.firmware;
  if (row.hostname !== null) miner.hostname = row.hostname;
  if (row.state_since_ms !== null) miner.stateSinceMs = row.state_since_ms;
  if (row.last_hashrate_mhs !== null) miner.lastHashrateMhs = row.last_hashrate_mhs;
  if (row.last_max_temp_dc !== null) miner.lastMaxTempDc = row.last_max_temp_dc;
  if (row.last_status !== null) miner.lastStatus = row.last_status as Reading['status'];
  return miner;
}

/**
 * The site's miners in SQLite (tables miner, miner_ip_change, event, scan of store step 2), keyed by a stable
 * identity so a miner that DHCP moves stays one miner. Every change worth a technician's attention (found, moved,
 * renamed, online, offline, scan finished) is also written to the local event log.
 */
export class Inventory {
  private readonly statements;
  private readonly upsertTx;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      get: db.prepare<[string], MinerRow>('SELECT * FROM miner WHERE miner_id = ?'),
      list: db.prepare<[], MinerRow>('SELECT * FROM miner'),
      byIp: db.prepare<[string], MinerRow>(
        'SELECT * FROM miner WHERE ip = ? ORDER BY last_seen_ms DESC, miner_id LIMIT 1',
      ),
      insert: db.prepare(
        `INSERT INTO miner (miner_id, ip, port, mac, serial, vendor, model, firmware, hostname, driver,
           first_seen_ms, last_seen_ms, last_hashrate_mhs, last_max_temp_dc, last_status)
         VALUES (@minerId, @ip, @port, @mac, @serial, @vendor, @model, @firmware, @hostname, @driver,
           @nowMs, @nowMs, @hashrateMhs, @maxTempDc, @status)`,
      ),
      // The poller's common case: the same miner at the same address, nothing to track.
      refresh: db.prepare(
        `UPDATE miner SET port = @port, mac = coalesce(@mac, mac), serial = coalesce(@serial, serial),
           vendor = @vendor, model = @model, firmware = @firmware, hostname = coalesce(@hostname, hostname),
           driver = @driver, last_seen_ms = max(last_seen_ms, @nowMs), last_hashrate_mhs = @hashrateMhs,
           last_max_temp_dc = @maxTempDc, last_status = @status
         WHERE miner_id = @minerId AND ip = @ip`,
      ),
      update: db.prepare(
        `UPDATE miner SET ip = @ip, port = @port, mac = coalesce(@mac, mac), serial = coalesce(@serial, serial),
           vendor = @vendor, model = @model, firmware = @firmware, hostname = coalesce(@hostname, hostname),
           driver = @driver, last_seen_ms = max(last_seen_ms, @nowMs), last_hashrate_mhs = @hashrateMhs,
           last_max_temp_dc = @maxTempDc, last_status = @status
         WHERE miner_id = @minerId`,
      ),
      // The renamed row keeps its history: first seen, state, IP changes.
      copyAs: db.prepare<[string, string]>(
        `INSERT INTO miner SELECT ?, ip, port, mac, serial, vendor, model, firmware, hostname, driver, first_seen_ms,
           last_seen_ms, state, state_since_ms, last_hashrate_mhs, last_max_temp_dc, last_status
         FROM miner WHERE miner_id = ?`,
      ),
      moveIpChanges: db.prepare<[string, string]>(
        'UPDATE miner_ip_change SET miner_id = ? WHERE miner_id = ?',
      ),
      delete: db.prepare<[string]>('DELETE FROM miner WHERE miner_id = ?'),
      ipChange: db.prepare<[string, number, string, string]>(
        'INSERT INTO miner_ip_change (miner_id, at_ms, old_ip, new_ip) VALUES (?, ?, ?, ?)',
      ),
      ipChanges: db.prepare<[string], { at_ms: number; old_ip: string; new_ip: string }>(
        'SELECT at_ms, old_ip, new_ip FROM miner_ip_change WHERE miner_id = ? ORDER BY at_ms, rowid',
      ),
      setState: db.prepare<[MinerState, number, string, MinerState]>(
        'UPDATE miner SET state = ?, state_since_ms = ? WHERE miner_id = ? AND state <> ?',
      ),
      event: db.prepare<[number, string, string | null, string | null]>(
        'INSERT INTO event (at_ms, kind, miner_id, detail) VALUES (?, ?, ?, ?)',
      ),
      events: db.prepare<[number, number], EventRow>(
        'SELECT * FROM event WHERE at_ms >= ? ORDER BY id DESC LIMIT ?',
      ),
      scan: db.prepare(
        `INSERT INTO scan (scan_id, started_ms, finished_ms, ranges, probed, found, unidentified)
         VALUES (@scanId, @startedMs, @finishedMs, @ranges, @probed, @found, @unidentified)`,
      ),
    };
    this.upsertTx = db.transaction(this.upsertUnsafe.bind(this));
  }

  get(minerId: string): InventoryMiner | undefined {
    const row = this.statements.get.get(minerId);
    return row && toMiner(row);
  }

  /** Every known miner, by address. */
  list(): InventoryMiner[] {
    return this.statements.list
      .all()
      .map(toMiner)
      .sort((a, b) => ipKey(a.ip) - ipKey(b.ip) || a.minerId.localeCompare(b.minerId));
  }

  /** The miner last seen at `ip` (two rows may share an address for a while after a DHCP swap). */
  byIp(ip: string): InventoryMiner | undefined {
    const row = this.statements.byIp.get(ip);
    return row && toMiner(row);
  }

  /**
   * Records what one successful reading says about its miner: creates it, or refreshes its identity fields, last
   * seen and last sample; records an IP change (with an event); and upgrades a placeholder id (ip-…, or the serial
   * once a MAC is known) to the firmer one, keeping the miner's history.
   */
  upsertFromReading(reading: Reading, driverId: string, port: number, nowMs: number): UpsertResult {
    return this.upsertTx(reading, driverId, port, nowMs);
  }

  /**
   * upsertFromReading without the answer, for the poller's every reading: one UPDATE when the miner is known at
   * that address (the common case), the full upsert otherwise.
   */
  recordReading(reading: Reading, driverId: string, port: number, nowMs: number): void {
    if (this.statements.refresh.run(this.values(reading, driverId, port, nowMs)).changes === 0) {
      this.upsertTx(reading, driverId, port, nowMs);
    }
  }

  /** Sets the miner's state; on a change writes a miner.<state> event and returns true. */
  setState(minerId: string, state: MinerState, nowMs: number, detail?: Record<string, unknown>): boolean {
    const changed = this.statements.setState.run(state, nowMs, minerId, state).changes > 0;
    if (changed) this.recordEvent(`miner.${state}`, minerId, detail, nowMs);
    return changed;
  }

  recordEvent(kind: string, minerId: string | undefined, detail: unknown, nowMs: number): void {
    this.statements.event.run(
      nowMs,
      kind,
      minerId ?? null,
      detail === undefined ? null : JSON.stringify(detail),
    );
  }

  /** Newest first. */
  events(options: { sinceMs?: number; limit?: number } = {}): InventoryEvent[] {
    return this.statements.events.all(options.sinceMs ?? 0, options.limit ?? 100).map((row) => {
      const event: InventoryEvent = { id: row.id, atMs: row.at_ms, kind: row.kind };
      if (row.miner_id !== null) event.minerId = row.miner_id;
      if (row.detail !== null) event.detail = JSON.parse(row.detail);
      return event;
    });
  }

  /** Where the miner has been, oldest move first. */
  ipChanges(minerId: string): Array<{ atMs: number; oldIp: string; newIp: string }> {
    return this.statements.ipChanges
      .all(minerId)
      .map((row) => ({ atMs: row.at_ms, oldIp: row.old_ip, newIp: row.new_ip }));
  }

  /** A finished scan, with a scan.finished event. */
  recordScan(scan: ScanRecord): void {
    this.db.transaction(() => {
      this.statements.scan.run({ ...scan, ranges: JSON.stringify(scan.ranges) });
      const { scanId, probed, found, unidentified } = scan;
      this.recordEvent(
        'scan.finished',
        undefined,
        { scanId, probed, found, unidentified, ms: scan.finishedMs - scan.startedMs },
        scan.finishedMs,
      );
    })();
  }

  /** Runs `fn` in one transaction: the poller writes a second's worth of readings with one commit. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private upsertUnsafe(reading: Reading, driverId: string, port: number, nowMs: number): UpsertResult {
    const minerId = minerIdFor(reading);
    let existing = this.statements.get.get(minerId);
    let renamedFrom: string | undefined;
    if (existing === undefined) {
      renamedFrom = this.placeholderOf(reading);
      if (renamedFrom !== undefined) {
        this.statements.copyAs.run(minerId, renamedFrom);
        this.statements.moveIpChanges.run(minerId, renamedFrom);
        this.statements.delete.run(renamedFrom);
        this.recordEvent('miner.id_upgraded', minerId, { from: renamedFrom }, nowMs);
        existing = this.statements.get.get(minerId);
      }
    }
    const values = this.values(reading, driverId, port, nowMs);
    let ipChangedFrom: string | undefined;
    if (existing === undefined) {
      this.statements.insert.run(values);
      this.recordEvent('miner.discovered', minerId, { ip: reading.ip, driver: driverId }, nowMs);
    } else {
      if (existing.ip !== reading.ip) {
        ipChangedFrom = existing.ip;
        this.statements.ipChange.run(minerId, nowMs, existing.ip, reading.ip);
        this.recordEvent('miner.ip_changed', minerId, { from: existing.ip, to: reading.ip }, nowMs);
      }
      this.statements.update.run(values);
    }
    const result: UpsertResult = {
      miner: toMiner(this.statements.get.get(minerId) as MinerRow),
      created: existing === undefined,
    };
    if (ipChangedFrom !== undefined) result.ipChangedFrom = ipChangedFrom;
    if (renamedFrom !== undefined) result.renamedFrom = renamedFrom;
    return result;
  }

  private values(reading: Reading, driverId: string, port: number, nowMs: number) {
    return {
      minerId: minerIdFor(reading),
      ip: reading.ip,
      port,
      mac: reading.mac ?? null,
      serial: reading.serial ?? null,
      vendor: reading.vendor,
      model: reading.model || null,
      firmware: reading.firmware || null,
      hostname: reading.hostname ?? null,
      driver: driverId,
      nowMs,
      hashrateMhs: reading.hashrateMhs,
      maxTempDc: maxTempDc(reading) ?? null,
      status: reading.status,
    };
  }

  /** The weaker id this miner may have been recorded under before its reading named it more firmly. */
  private placeholderOf(reading: Reading): string | undefined {
    const strength = idStrength(reading);
    if (strength === 'ip') return undefined;
    const candidates: string[] = [];
    // Its serial: a row that only ever had a serial; one with another MAC is a different machine.
    if (strength === 'mac' && reading.serial) {
      const serialId = minerIdFor({ ip: reading.ip, serial: reading.serial });
      if (serialId !== ipFallbackId(reading.ip)) candidates.push(serialId);
    }
    candidates.push(ipFallbackId(reading.ip));
    for (const id of candidates) {
      const row = this.statements.get.get(id);
      if (row !== undefined && row.mac === null) return id;
    }
    return undefined;
  }
}
