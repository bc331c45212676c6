export { type HealthServer, type HealthServerOptions, startHealthServer } from './server.js';
export { agentStatus, PollTracker, type StatusSources } from './status.js';
