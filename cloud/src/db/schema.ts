// Row types of every table, as Kysely sees them. Times are UTC milliseconds since the Unix epoch (integers).
import type { Generated, GeneratedAlways } from 'kysely';

/** The roles of the original design; what each may do is in plugins/access.ts. */
export const USER_ROLES = ['owner', 'admin', 'mining_site', 'customer', 'guest'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A hosting company: the unit of isolation. */
export interface TenantTable {
  id: string;
  name: string;
  created_at: number;
}

/** A mining site of a tenant, where one or more agents run. */
export interface SiteTable {
  id: string;
  tenant_id: string;
  name: string;
  location: string;
  /** IANA zone for the site's local day (rollups, reports). */
  timezone: string;
  created_at: number;
}

/** A hosting client of a tenant; its users see only the miners assigned to it. */
export interface CustomerTable {
  id: string;
  tenant_id: string;
  name: string;
  contact_email: string;
  created_at: number;
}

export interface UserTable {
  /** UUIDv7. */
  id: string;
  /** Stored lower-case; unique. */
  email: string;
  /** scrypt parameters, salt and hash in one string (see features/auth/password.ts). */
  password_hash: string;
  role: UserRole;
  created_at: number;
  /** Set for every user (nullable only because SQLite cannot add a NOT NULL column). */
  tenant_id: string | null;
  /** Set exactly when role is customer: the customer whose miners this user reads. */
  customer_id: string | null;
  /** Set while an admin has disabled the user: no login, no refresh, sessions revoked. */
  disabled_at: number | null;
}

/** One login: the family of its refresh tokens; access tokens name it in their sid claim. */
export interface SessionTable {
  id: string;
  tenant_id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

/** A refresh token, stored as the SHA-256 hex of the token. */
export interface RefreshTokenTable {
  token_hash: string;
  session_id: string;
  created_at: number;
  expires_at: number;
  /** Set once it was exchanged; presenting it again revokes the session. */
  rotated_at: number | null;
}

/** A machine client's key, stored as the SHA-256 hex of the key. */
export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  name: string;
  /** Never owner. */
  role: UserRole;
  customer_id: string | null;
  key_hash: string;
  prefix: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
}

/** Append-only, hash-chained (features/audit/chain.ts). */
export interface AuditLogTable {
  seq: number;
  at: number;
  /** Null for a login with an unknown email. */
  tenant_id: string | null;
  actor_kind: 'user' | 'api_key' | 'anonymous';
  actor_id: string | null;
  /** The email of a login attempt; null otherwise. */
  email: string | null;
  method: string;
  /** The route pattern, e.g. /api/users/:id. */
  route: string;
  target_id: string | null;
  status_code: number;
  outcome: 'success' | 'failure';
  request_id: string;
  ip: string;
  prev_hash: string;
  hash: string;
}

export interface AgentTable {
  /** The agent id, which is also its MQTT client id. */
  id: string;
  /** Session epoch of the latest birth or death applied. */
  epoch: number;
  /** 1 while the agent's latest presence is a birth. */
  online: number;
  hostname: string;
  agent_version: string;
  last_seen_at: number | null;
  created_at: number;
  tenant_id: string | null;
  site_id: string | null;
  /** SHA-256 of the agent's MQTT password (features/agents/secrets.ts); null for an agent never enrolled. */
  mqtt_password_hash: string | null;
  /** Ed25519 public key (base64, 32 bytes) the agent will verify signed commands against. */
  signing_public_key: string | null;
  /** X25519 public key (base64, 32 bytes) credentials are sealed to. */
  box_public_key: string | null;
  enrolled_at: number | null;
  /** Set when an admin revoked the agent: its credentials no longer work. */
  revoked_at: number | null;
  /** When the cloud last stored a telemetry batch of the agent (0016); null before the first. */
  last_sync_at: Generated<number | null>;
  /** Samples waiting in the agent's outbox as it last reported them, at birth or with a batch (0016). */
  backlog_samples: Generated<number | null>;
}

/** A one-time enrollment token of a site, stored as the SHA-256 hex of the token. */
export interface EnrollmentTokenTable {
  id: string;
  tenant_id: string;
  site_id: string;
  token_hash: string;
  /** The user who created it. */
  created_by: string;
  created_at: number;
  expires_at: number;
  /** Set when an agent enrolled with it; a used token never works again. */
  used_at: number | null;
  agent_id: string | null;
}

/** The cloud's Ed25519 key for signing commands and sealed credentials (migration 0009). */
export interface CommandSigningKeyTable {
  /** Key id: base64url of the first 12 bytes of SHA-256 of the raw public key (packages/vault keyIdOf). */
  id: string;
  algorithm: 'ed25519';
  /** Raw 32-byte public key, base64; given to agents at enrollment. */
  public_key: string;
  /** PKCS#8 PEM. A secret: never selected outside signing; wrapped by the credential vault of issue #6. */
  private_key: string;
  created_at: number;
  /** Set once it no longer signs; agents keep verifying with it until then-issued commands expire. */
  retired_at: number | null;
}

/** The ingest high-water mark of one agent session epoch. */
export interface TelemetryStreamTable {
  agent_id: string;
  epoch: number;
  /** Every sample of this epoch with seq <= up_to_seq is stored. */
  up_to_seq: number;
  updated_at: number;
}

/** Keyed by (agent_id, id): a miner id is unique only within its agent. */
export interface MinerTable {
  /** The agent that reports it. */
  agent_id: string;
  /** miner_id chosen by the agent (e.g. ip-10.0.0.5). */
  id: string;
  /** '' since migration 0014: the address is in ip_enc (rows stored before are sealed at start-up). */
  ip: string;
  mac: string;
  serial: string;
  vendor: string;
  model: string;
  firmware: string;
  hostname: string;
  first_seen_at: number;
  last_seen_at: number;
  /** Copied from the reporting agent, so tenant-scoped reads filter on one column. */
  tenant_id: string | null;
  site_id: string | null;
  /** The hosting client the miner is assigned to, if any. */
  customer_id: string | null;
  /** The address sealed under the tenant's key, bound to this miner (migration 0014; features/miners/ip.ts). */
  ip_enc: Generated<string>;
  /** Blind index (tenant-keyed HMAC, hex) of the exact address; '' without one. */
  ip_index: Generated<string>;
  /** Blind index of the address's network (/24, IPv6 /64); '' without one. */
  ip_net_index: Generated<string>;
  /** Host part in clear (IPv4 last octet, IPv6 last group) for rack order within a subnet; -1 without one. */
  ip_host: Generated<number>;
  /** site_id or '' (kept by the database, migration 0014): the `ip` sort's first key, never null. */
  site_key: GeneratedAlways<string>;
  /** The agent's driver id for the miner (e.g. antminer-stock); '' until an agent reports it (migration 0013). */
  driver: Generated<string>;
  /** JSON array of the driver's control capabilities (packages/miners Capability); '[]' until reported. */
  capabilities: Generated<string>;
}

/** Keyed by (agent_id, miner_id), which references miner (agent_id, id). */
export interface MinerLatestTable {
  agent_id: string;
  miner_id: string;
  /** When the poll of this sample finished. */
  time_ms: number;
  status: string;
  hashrate_mhs: number;
  hashrate_avg_mhs: number;
  hashrate_expected_mhs: number;
  power_w: number | null;
  uptime_s: number;
  /** JSON of MinerDetail: boards, fans, pools and errors. */
  detail: string;
  poll_error: string;
  /**
   * The hottest board of detail (chip temperature, else board temperature), tenths of a degree; null without
   * any. Kept by the database whenever detail is written (migration 0008_fleet_indexes), never by the app.
   */
  temp_max_dc: GeneratedAlways<number | null>;
}

/** A fact recorded in the same transaction as the change it describes; relayed to Redis Streams. */
export interface EventOutboxTable {
  /** UUIDv7: sorts by creation time. */
  id: string;
  /** family.name, e.g. agent.online; the family names the stream. */
  type: string;
  tenant_id: string | null;
  /** JSON object. */
  payload: string;
  created_at: number;
  /** The relay run that took the row, while it holds it. */
  claim_token: string | null;
  claimed_until: number | null;
  relayed_at: number | null;
}

/** Event ids a consumer group has processed: redelivery is skipped. */
export interface EventInboxTable {
  consumer: string;
  event_id: string;
  processed_at: number;
}

export interface Database {
  event_outbox: EventOutboxTable;
  event_inbox: EventInboxTable;
  tenant: TenantTable;
  site: SiteTable;
  customer: CustomerTable;
  user: UserTable;
  session: SessionTable;
  refresh_token: RefreshTokenTable;
  api_key: ApiKeyTable;
  audit_log: AuditLogTable;
  agent: AgentTable;
  enrollment_token: EnrollmentTokenTable;
  command_signing_key: CommandSigningKeyTable;
  telemetry_stream: TelemetryStreamTable;
  miner: MinerTable;
  miner_latest: MinerLatestTable;
  miner_sample: MinerSampleTable;
  miner_rollup: MinerRollupTable;
  telemetry_rollup_dirty: TelemetryRollupDirtyTable;
  miner_model: MinerModelTable;
  network_snapshot: NetworkSnapshotTable;
  command: CommandTable;
  command_target: CommandTargetTable;
  command_dispatch: CommandDispatchTable;
  command_idempotency: CommandIdempotencyTable;
  command_schedule: CommandScheduleTable;
}

/** A miner model's nameplate figures: the shipped catalog (tenant_id '') or a tenant's own entry. */
export interface MinerModelTable {
  /** '' for the shipped catalog (data/miner-models.csv); a tenant id for that tenant's additions and overrides. */
  tenant_id: string;
  /** Slug of vendor and model, e.g. bitmain-antminer-s19-pro; a tenant entry with a shipped id overrides it. */
  id: string;
  vendor: string;
  model: string;
  hashrate_th: number;
  power_w: number;
  efficiency_j_th: number;
  release_year: number | null;
  /** air, hydro or immersion. */
  cooling: string;
  /** Where the figures come from (a URL or repo path). */
  source: string;
  created_at: number;
  updated_at: number;
}

/** One good set of Bitcoin network figures, as fetched (or configured) at fetched_at. */
export interface NetworkSnapshotTable {
  /** UUIDv7. */
  id: string;
  fetched_at: number;
  btc_price_usd: number;
  difficulty: number;
  block_height: number;
  block_subsidy_btc: number;
  /** Average transaction fees per block, BTC. */
  avg_fees_btc: number;
  /** The sources that supplied the figures, comma-separated (mempool.space,coingecko). */
  source: string;
}

/** One poll of one miner (raw history). Units as in the proto: MH/s, watts, tenths of a degree, RPM. */
export interface MinerSampleTable {
  agent_id: string;
  miner_id: string;
  time_ms: number;
  status: string;
  hashrate_mhs: number;
  hashrate_avg_mhs: number;
  hashrate_expected_mhs: number;
  power_w: number | null;
  /** Hottest chip and board sensor of the sample. */
  chip_temp_max_dc: number | null;
  board_temp_max_dc: number | null;
  fan_min_rpm: number | null;
  fan_max_rpm: number | null;
  /** Shares accepted and rejected, summed over the pools: cumulative counters (differences give rates). */
  accepted: number;
  rejected: number;
}

/** A 5 min, 1 h or 1 d bucket of one miner: sums and counts, so coarser buckets add up exactly. */
export interface MinerRollupTable {
  resolution: '5m' | '1h' | '1d';
  agent_id: string;
  miner_id: string;
  /** Start of the bucket (UTC, aligned to the resolution). */
  bucket_ms: number;
  sample_count: number;
  /** Samples whose status was ok or degraded (hashing). */
  online_count: number;
  hashrate_sum_mhs: number;
  hashrate_expected_sum_mhs: number;
  power_sum_w: number;
  /** Samples that reported power (the average is power_sum_w / power_count). */
  power_count: number;
  chip_temp_max_dc: number | null;
  board_temp_max_dc: number | null;
}

/** An hour whose rollups must be recomputed: samples for it arrived after the rollup jobs had passed it. */
export interface TelemetryRollupDirtyTable {
  hour_ms: number;
  version: number;
}

/** The JSON in miner_latest.detail. Units as in the proto: MH/s, tenths of a degree Celsius, RPM. */
export interface MinerDetail {
  boards: {
    index: number;
    hashrateMhs: number;
    boardTempDc: number | null;
    chipTempDc: number | null;
    inletTempDc: number | null;
    outletTempDc: number | null;
    chips: number;
    chipsExpected: number;
    serial: string;
  }[];
  fansRpm: number[];
  /** Pool passwords never reach the cloud; only these fields are kept. */
  pools: {
    url: string;
    user: string;
    status: 'alive' | 'dead' | 'disabled' | 'unknown';
    active: boolean;
    priority: number;
    accepted: number;
    rejected: number;
    stale: number;
  }[];
  errors: { code: string; message: string }[];
}

/** A remote command as an operator asked for it (migration 0013); its targets carry the per-miner lifecycle. */
export interface CommandTable {
  /** UUIDv7 (sorts by creation time). */
  id: string;
  tenant_id: string;
  /** reboot, restart_mining, set_pools, led, power_mode, power_limit_w, wake, update_credentials. */
  type: string;
  /** JSON of the type's parameters, never a secret (vault credential ids instead). */
  params: string;
  /** JSON of the targets as requested (minerIds, miners, siteId or filter). */
  targets: string;
  target_count: number;
  /** awaiting_approval, active, finished, cancelled, aborted, expired (features/commands/lifecycle.ts). */
  status: string;
  status_reason: string;
  created_by: string;
  created_at: number;
  /** No target starts before this (a schedule); created_at otherwise. */
  not_before: number;
  expires_at: number;
  effect_timeout_s: number;
  /** SHA-256 hex of the canonical command (features/commands/canonical.ts); an approval binds it. */
  canonical_hash: string;
  requires_approval: number;
  /** Why a second operator must approve (policy.ts); '' when not needed. */
  approval_reason: string;
  approved_by: string | null;
  approved_at: number | null;
  /** The canonical hash the approver saw; dispatch requires it to equal a fresh one. */
  approved_hash: string | null;
  rollout_per_minute: number;
  abort_threshold_pct: number;
  abort_min_executed: number;
  schedule_id: string | null;
  idempotency_key: string | null;
  version: number;
  finished_at: number | null;
}

/** One miner of a command: its lifecycle state, timestamps and reason. Keyed by (command_id, agent_id, miner_id). */
export interface CommandTargetTable {
  command_id: string;
  agent_id: string;
  miner_id: string;
  site_id: string | null;
  /** queued, dispatched, received, running, succeeded, failed, timed_out, rejected, cancelled, expired. */
  state: string;
  reason: string;
  error_code: string;
  /** The vault credential version this target carries (update_credentials: the pending login). */
  credential_id: string | null;
  credential_version: number | null;
  /** The command_dispatch that carried it to its agent. */
  dispatch_id: string | null;
  queued_at: number;
  dispatched_at: number | null;
  received_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
  /** +1 per transition: updates compare and swap on it. */
  version: number;
}

/** One signed message to one agent; its id is the wire command id the agent reports under. */
export interface CommandDispatchTable {
  id: string;
  command_id: string;
  agent_id: string;
  kind: 'run' | 'cancel';
  /** JSON array of the miner ids it names. */
  miner_ids: string;
  /** The 16-byte nonce, base64; unique. */
  nonce: string;
  issued_at: number;
  expires_at: number;
  /** Set once the broker acknowledged it (PUBACK). */
  published_at: number | null;
}

/** An Idempotency-Key of POST /api/commands, kept 24 h: the same key and body give the same command. */
export interface CommandIdempotencyTable {
  tenant_id: string;
  principal_id: string;
  key: string;
  /** HMAC-SHA256 hex of the canonical request body (keyed, so a password inside cannot be guessed from it). */
  request_hash: string;
  command_id: string;
  created_at: number;
  expires_at: number;
}

/** A site's scheduled command (migration 0015): a cron expression in the site's time zone and a command template. */
export interface CommandScheduleTable {
  /** UUIDv7. */
  id: string;
  tenant_id: string;
  site_id: string;
  name: string;
  /** Five-field cron expression (node-cron syntax), evaluated in the site's time zone. */
  cron: string;
  enabled: number;
  /** JSON of the command body it creates (type, params, targets — default the whole site —, expiry); no secret. */
  template: string;
  /** The operator the created commands are made in the name of. */
  created_by: string;
  /** The operator who last created or changed it; its commands are made in this operator's name. */
  updated_by: string;
  created_at: number;
  updated_at: number;
  last_fired_at: number | null;
  last_command_id: string | null;
  /** Why the last fire created no command ('' when it did). */
  last_error: string;
  version: number;
}
