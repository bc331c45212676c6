export { AgentStore, type AppendResult, BATCH_BYTE_BUDGET, type OutboxBatch } from './store.js';
