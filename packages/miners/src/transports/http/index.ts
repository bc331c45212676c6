export {
  type WebBody,
  type WebCall,
  WebClient,
  type WebConnectOptions,
  type WebRequestOptions,
  webRequest,
} from './client.js';
export type { WebCredentials } from './digest.js';
export { judgeResponse, type WebExpect, type WebResponse, WebStatusError } from './response.js';
// For the token-login HTTP APIs (transports/token-http): the same session limits and response judgement.
export { type Exchanged, HttpSession, type SessionLimits } from './session.js';
