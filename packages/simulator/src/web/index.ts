// The stock Antminer's web side: HTTP Digest and the CGIs behind it.
export { AntminerCgi, type CgiRequest, type CgiResponse } from './antminer-cgi.js';
export { DigestGuard, type Verdict } from './digest.js';
export { webListener } from './server.js';
export { type ApiAnswer, type ApiRequest, type TokenApiSpec, tokenApiListener } from './token-api.js';
