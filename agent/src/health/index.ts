export { type HealthServer, type HealthServerOptions, startHealthServer } from './server.js';
export { agentStatus, PollWatch, type StatusSources } from './status.js';
