import type { Driver, MinerClients } from './driver.js';
import { cgminerGeneric } from './drivers/cgminer-generic/index.js';
import { MinerError } from './errors.js';
import { identify } from './identify.js';
import type { Reading } from './reading.js';
import { BtminerClient } from './transports/btminer/index.js';
import { type CgminerOptions, cgminerCommand } from './transports/cgminer/index.js';
import { WebClient, type WebConnectOptions } from './transports/http/index.js';
import { TokenHttpClient } from './transports/token-http/index.js';

/** How to reach a miner: the cgminer API limits, and its web CGI when credentials are known. */
export interface ConnectOptions extends CgminerOptions {
  /**
   * Web CGI port, credentials and limits; without them the clients have no `web`. The password is also the admin
   * password of Whatsminer's privileged API (`btminer`), which falls back to the factory `admin`, and the login of
   * the token APIs (`tokenHttp`: Braiins OS REST, VNish), which fall back to their firmware's factory login.
   */
  web?: WebConnectOptions;
}

/** Clients bound to one miner over the real transports, with the given limits. */
export function connectClients(ip: string, options: ConnectOptions = {}): MinerClients {
  const { web, ...cgminer } = options;
  // Bound now, used only by a Whatsminer control call: it opens no socket until then.
  const btminer = new BtminerClient(ip, { ...cgminer, password: web?.credentials.password ?? 'admin' });
  // One client per token API, made on first use, so its token is kept across calls.
  const tokenClients = new Map<string, TokenHttpClient>();
  const clients: MinerClients = {
    ip,
    cgminer: (command, parameter) => cgminerCommand(ip, command, parameter, cgminer),
    btminer: (cmd, params) => btminer.command(cmd, params),
    tokenHttp: (login, call) => {
      let client = tokenClients.get(login.api);
      if (client === undefined) {
        const { credentials, ...limits } = web ?? {};
        client = new TokenHttpClient(ip, login, { ...limits, ...(credentials ? { credentials } : {}) });
        tokenClients.set(login.api, client);
      }
      return client.request(call);
    },
  };
  if (web) {
    const client = new WebClient(ip, web);
    clients.web = (path, call) => client.request(path, call);
    const { username, password } = web.credentials;
    clients.adminLogin = () => ({ username, password });
  }
  return clients;
}

/** Reads a miner with the generic cgminer driver, without identifying it first. */
export function readCgminerMiner(ip: string, options?: CgminerOptions): Promise<Reading> {
  return cgminerGeneric.read(connectClients(ip, options));
}

/**
 * Reads miners through the driver that identified each one, remembered per IP so a poll costs no extra request.
 * A reply the driver cannot read sends the miner back through identification next time (its firmware may have
 * changed).
 */
export class MinerReader {
  private readonly driverByIp = new Map<string, Driver>();

  // Private, so inspecting or logging the reader never shows web credentials.
  readonly #options: ConnectOptions;

  constructor(options: ConnectOptions = {}) {
    this.#options = options;
  }

  async read(ip: string): Promise<Reading> {
    const clients = connectClients(ip, this.#options);
    let driver = this.driverByIp.get(ip);
    if (driver === undefined) {
      driver = (await identify(clients)).driver;
      this.driverByIp.set(ip, driver);
    }
    try {
      return await driver.read(clients);
    } catch (error) {
      if (error instanceof MinerError && ['MINER_BAD_REPLY', 'MINER_COMMAND_FAILED'].includes(error.code)) {
        this.driverByIp.delete(ip);
      }
      throw error;
    }
  }

  /** The driver last used for `ip`, if any. */
  driverOf(ip: string): Driver | undefined {
    return this.driverByIp.get(ip);
  }
}
