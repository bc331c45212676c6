export { CloudSync, type CloudSyncOptions } from './cloud-sync.js';
