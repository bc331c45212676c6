import type { TokenLogin } from '../../transports/token-http/index.js';

/**
 * Braiins OS REST API (BOS ≥ 25.07, `/api/v1` on the web port): `POST auth/login {username, password}` answers
 * `{token}`, which goes back raw in `Authorization`. Braiins ships root/root.
 */
export const BOS_REST: TokenLogin = {
  api: 'Braiins OS REST',
  path: '/api/v1/auth/login',
  body: ({ username, password }) => ({ username, password }),
  authorization: (token) => token,
  factoryLogin: { username: 'root', password: 'root' },
};

export const BOS_PATH = {
  poolsBatch: '/api/v1/pools/batch',
  powerTarget: '/api/v1/performance/power-target',
  locate: '/api/v1/actions/locate',
  reboot: '/api/v1/actions/reboot',
  restart: '/api/v1/actions/restart',
} as const;
