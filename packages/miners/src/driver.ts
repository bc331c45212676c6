import type { Reading } from './reading.js';
import type { BtminerReply } from './transports/btminer/index.js';
import type { CgminerReply } from './transports/cgminer/index.js';
import type { WebCall, WebResponse } from './transports/http/index.js';
import type { TokenCall, TokenLogin, TokenReply } from './transports/token-http/index.js';

/** Control operations a driver may declare. A call to one it does not declare fails before any I/O. */
export const CAPABILITIES = [
  'reboot',
  'restart-mining',
  'set-pools',
  'led',
  'power-mode',
  'power-limit',
  'sleep',
  'set-login',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * The transports bound to one miner. Drivers never open sockets: they ask these clients, which own timeouts,
 * size limits, retries and authentication.
 */
export interface MinerClients {
  ip: string;
  /** One cgminer-API command; rejects with a MinerError (STATUS E/F is MINER_COMMAND_FAILED). */
  cgminer(command: string, parameter?: string): Promise<CgminerReply>;
  /**
   * One call to the miner's web CGI (`/cgi-bin/get_system_info.cgi`, ...) with HTTP Digest authentication; only
   * there when credentials were given. Rejects with a MinerError: MINER_AUTH_FAILED for refused credentials, a
   * WebStatusError for an HTTP error status.
   */
  web?(path: string, call?: WebCall): Promise<WebResponse>;
  /**
   * The miner's admin login (the web credentials), for firmware that wants it inside a command (Avalon `setpool`).
   * A function, so logging or inspecting the clients never shows the password; only there with credentials.
   */
  adminLogin?(): { username: string; password: string };
  /**
   * One Whatsminer privileged command (btminer API v2, encrypted with a token from `get_token`, on the cgminer API
   * port and limits), signed with the admin password of the web credentials, else MicroBT's factory `admin`. The
   * token is kept with these clients for its 30-minute life. Resolves on Code 131; a refusal rejects with a
   * MinerError (MINER_AUTH_FAILED for a wrong password or a write API left off, MINER_UNSUPPORTED for a command
   * the firmware does not know).
   */
  btminer?(cmd: string, params?: Readonly<Record<string, string>>): Promise<BtminerReply>;
  /**
   * One call to the miner's JSON API behind a token login (Braiins OS REST, VNish web API) on the web port, with
   * the web credentials, else the firmware's factory login (`login.factoryLogin`). The driver says how its
   * firmware logs in; the token is kept with these clients, per API, and renewed once when refused. Rejects with a
   * MinerError (MINER_AUTH_FAILED for refused credentials, a WebStatusError for another HTTP error status).
   */
  tokenHttp?(login: TokenLogin, call: TokenCall): Promise<TokenReply>;
}

/** What identification learned before a driver is chosen: the miner's answers to the probe commands. */
export interface Probe {
  /** Reply to cgminer `version`, when the miner gave one. */
  version?: CgminerReply;
  /** Reply to cgminer `devdetails`, when asked and answered. */
  devdetails?: CgminerReply;
}

/** A pool to configure. The password is the pool's (usually "x"), handed over by the agent, never logged. */
export interface PoolSetting {
  url: string;
  user: string;
  password: string;
}

/** One control operation and its arguments; `kind` is the capability it needs. */
export type ControlOperation =
  | { kind: 'reboot' }
  | { kind: 'restart-mining' }
  | { kind: 'set-pools'; pools: PoolSetting[] }
  | { kind: 'led'; on: boolean }
  | { kind: 'power-mode'; mode: 'normal' | 'low' | 'high' }
  | { kind: 'power-limit'; watts: number }
  | { kind: 'sleep'; asleep: boolean }
  /** Replace the miner's own login (web/API user and password) with this one; the current login is in clients. */
  | { kind: 'set-login'; username: string; password: string };

/** One firmware family: how to recognise it, read it and command it. */
export interface Driver {
  /** `<vendor>-<firmware>`, the name of the driver's folder. */
  id: string;
  /** Human name for tables and logs. */
  name: string;
  /**
   * How sure the driver is that the probed miner runs its firmware: 0 = not mine. The highest score wins, so a
   * custom firmware that mimics stock answers must score above the stock driver.
   */
  match(probe: Probe): number;
  /** One normalized Reading of the miner. */
  read(clients: MinerClients): Promise<Reading>;
  /**
   * True when `read` goes through the miner's login (`web`/`tokenHttp` with credentials), so the agent opens the
   * miner's sealed login for each poll. Absent: reads need no login, and none is opened for a poll.
   */
  readsWithLogin?: boolean;
  /**
   * Which of the miner's logins the driver's calls use: its web interface (`web`, the default: Antminer CGI,
   * VNish) or its privileged API (`api`: Whatsminer's admin password, Braiins OS).
   */
  loginKind?: 'web' | 'api';
  /** Control operations this driver can perform. */
  capabilities: readonly Capability[];
  /**
   * Performs one declared operation; resolves when the miner accepted it. Only called through `control()`, which
   * refuses undeclared operations before any I/O.
   */
  control?(clients: MinerClients, operation: ControlOperation): Promise<void>;
  /**
   * One call that needs the login in `clients` and changes nothing; resolves when the miner accepted the login,
   * rejects with MINER_AUTH_FAILED when it refused it. Declared by drivers with `set-login`, so a new login can be
   * proven before it replaces the old one.
   */
  checkLogin?(clients: MinerClients): Promise<void>;
}
