// The agent's store. AgentStore: settings, epochs and the telemetry outbox —
//   append(samples) → AppendResult (one outbox_batch row per call; `dropped` lists gaps the budget made),
//   readChunk/acknowledge for the sync, backlog() (samples waiting),
//   outboxStats() → { samples, batches, bytes, budgetBytes, oldestTimeMs, gapsPending } for doctor/health,
//   pendingGaps()/gapsReported(ids) for the gap reports, and `db` for the store's other modules.

// The command journal, the sealed-credential cache and the LED timers: `new CommandJournal(store.db)`,
// `new CredentialCache(store.db)`, `new LedTimers(store.db)`.
export { type CachedCredential, CredentialCache, type CredentialHeader } from './credentials.js';
export {
  CommandJournal,
  type CommandRefusal,
  type JournaledCommand,
  type ObservedTarget,
  type PendingUpdate,
  type TargetRow,
  type TargetState,
} from './journal.js';
export { type LedTimer, LedTimers } from './led-timers.js';
export { BATCH_BYTE_BUDGET, type OutboxChunk, type OutboxGap, type OutboxStats } from './outbox.js';
export { AgentStore, type AppendResult, type OutboxBatch, type StoreOptions } from './store.js';
