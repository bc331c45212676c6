import type { Events, Notifier } from '../../platform/index.js';
import { agentsChannel } from './live-hub.js';

/**
 * Relays agent presence (the agent.online / agent.offline events the ingest records) to every instance's live
 * streams: the events deliver each one once across instances, the notifier then fans it out to all of them.
 * Resolves to the function that stops.
 */
export function relayPresence(events: Events, notifier: Notifier): Promise<() => Promise<void>> {
  return events.consume('agent', 'console-live', async (event) => {
    if (event.tenantId === null) return;
    if (event.type !== 'agent.online' && event.type !== 'agent.offline') return;
    const { agentId, siteId } = event.payload;
    if (typeof agentId !== 'string') return;
    await notifier.publish(agentsChannel(event.tenantId), {
      agentId,
      siteId: typeof siteId === 'string' ? siteId : null,
      online: event.type === 'agent.online',
      at: event.createdAt,
    });
  });
}
