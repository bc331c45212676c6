import type { MinerClients } from '../../driver.js';
import { MinerError } from '../../errors.js';
import type { TokenCall, TokenLogin, TokenReply } from '../../transports/token-http/index.js';

/**
 * VNish's web API (xminer-api, `/api/v1` on the web port): `POST unlock {pw}` answers `{token}` (corpus
 * `vnish/web/unlock.json`), sent back as `Authorization: Bearer <token>`. VNish has a password and no user name;
 * it ships `admin`.
 */
export const VNISH_WEB: TokenLogin = {
  api: 'VNish web API',
  path: '/api/v1/unlock',
  body: ({ password }) => ({ pw: password }),
  authorization: (token) => `Bearer ${token}`,
  factoryLogin: { username: 'admin', password: 'admin' },
};

export const VNISH_PATH = {
  settings: '/api/v1/settings',
  presets: '/api/v1/autotune/presets',
  findMiner: '/api/v1/find-miner',
  start: '/api/v1/mining/start',
  stop: '/api/v1/mining/stop',
  restart: '/api/v1/mining/restart',
  reboot: '/api/v1/system/reboot',
} as const;

export async function vnishWeb(clients: MinerClients, call: TokenCall): Promise<TokenReply> {
  if (clients.tokenHttp === undefined) {
    throw new MinerError('MINER_UNSUPPORTED', `no token HTTP client for ${clients.ip}`);
  }
  return clients.tokenHttp(VNISH_WEB, call);
}
