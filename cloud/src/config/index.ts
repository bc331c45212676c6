export { type CloudConfig, LOG_LEVELS, type LogLevel, loadCloudConfig, printableConfig } from './config.js';
export { ConfigError } from './errors.js';
export { JWT_SECRET_FILE, loadOrCreateJwtSecret } from './secrets.js';
