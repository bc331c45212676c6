export {
  CloudSync,
  type CloudSyncOptions,
  type MessageKind,
  type PublishKind,
  type SyncStats,
} from './cloud-sync.js';
export { type DrainOptions, encodeBatch } from './drain.js';
