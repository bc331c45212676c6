export {
  type WebBody,
  type WebCall,
  WebClient,
  type WebConnectOptions,
  type WebRequestOptions,
  webRequest,
} from './client.js';
export type { WebCredentials } from './digest.js';
export { type WebExpect, type WebResponse, WebStatusError } from './response.js';
