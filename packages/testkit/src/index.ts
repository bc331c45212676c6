export { startTestBroker, type TestBroker } from './broker.js';
export {
  type Browser,
  type BrowserContext,
  CHROMIUM,
  chromiumMissing,
  type Locator,
  launchChromium,
  type Page,
} from './chromium.js';
export { CORPUS_DIR, corpusFile, corpusMissing } from './corpus.js';
export { LoopbackAllocator, loopbackAllocator } from './loopback.js';
export { mosquittoMissing, type PrivateMosquitto, startMosquitto } from './mosquitto.js';
export { freePort } from './ports.js';
export { serviceUrl } from './services.js';
export { tempDir } from './temp.js';
export { waitFor } from './wait.js';
