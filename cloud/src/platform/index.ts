// The platform services features use: cache, cross-instance notifications, events (outbox, relay, consumers).
export { Cache, type CacheStats } from './cache/cache.js';
export type { ConsumerHandler, Events } from './events/events.js';
export { type DomainEvent, eventFamily, type NewEvent, recordEvent } from './events/outbox.js';
export type { Notifier } from './notifier.js';
export { createPlatform, type Platform, type PlatformOptions } from './platform.js';
export { default as platformPlugin } from './plugin.js';
