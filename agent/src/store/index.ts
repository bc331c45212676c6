export { AgentStore, type AppendResult, type OutboxBatch } from './store.js';
