export { freePort } from './ports.js';
export { LoopbackAllocator, loopbackAllocator } from './loopback.js';
export { serviceUrl } from './services.js';
export { tempDir } from './temp.js';
export { waitFor } from './wait.js';
