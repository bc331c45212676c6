export { checkLogin, control } from './control.js';
export {
  CAPABILITIES,
  type Capability,
  type ControlOperation,
  type Driver,
  type MinerClients,
  type PoolSetting,
  type Probe,
} from './driver.js';
export {
  parseSummary,
  type SummaryValues,
} from './drivers/cgminer-family/index.js';
export { driverById, drivers, selectDriver } from './drivers/index.js';
export { MinerError, type MinerErrorCode } from './errors.js';
export { identify } from './identify.js';
export { findModel, type MinerModel, minerModels } from './models.js';
export { type ConnectOptions, connectClients, MinerReader, readCgminerMiner } from './read.js';
export type { Reading } from './reading.js';
export {
  BtminerClient,
  type BtminerOptions,
  type BtminerReply,
  decrypt,
  decryptReply,
  deriveToken,
  encrypt,
  encryptRequest,
  isBase64,
  md5Crypt,
  md5CryptHash,
  type Token,
  type TokenChallenge,
} from './transports/btminer/index.js';
export {
  type CgminerCommandOptions,
  type CgminerOptions,
  type CgminerReply,
  type CgminerStatus,
  type CgminerStatusLetter,
  cgminerCommand,
  cgminerMulti,
  decodeTextReply,
  splitMultiReply,
} from './transports/cgminer/index.js';
export {
  type WebBody,
  type WebCall,
  WebClient,
  type WebConnectOptions,
  type WebCredentials,
  type WebExpect,
  type WebRequestOptions,
  type WebResponse,
  WebStatusError,
  webRequest,
} from './transports/http/index.js';
export {
  type TokenCall,
  TokenHttpClient,
  type TokenHttpOptions,
  type TokenLogin,
  type TokenReply,
} from './transports/token-http/index.js';
