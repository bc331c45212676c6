import { allAgentsTopic, parseAgentTopic } from '@hashinsight/protocol';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { KeyedQueue } from '../../../lib/keyed-queue.js';
import { cancelDispatched as cancelOnAgents } from './cancel.js';
import { handleUpdate } from './consumer.js';
import {
  DEFAULT_ENGINE_SETTINGS,
  type EngineDeps,
  type EngineMetrics,
  type EngineSettings,
  newEngineMetrics,
} from './context.js';
import { dispatchPass } from './dispatcher.js';
import { redeliverToAgent } from './redeliver.js';
import { type SweepResult, sweepPass } from './sweeper.js';

export { cancelDispatched } from './cancel.js';
export {
  DEFAULT_ENGINE_SETTINGS,
  type EngineDeps,
  type EngineMetrics,
  type EngineSettings,
} from './context.js';
export { ROLLOUT_DEFAULTS } from './rollout.js';
export type { SweepResult } from './sweeper.js';

/** Notifier channel: any instance that stores or approves a command publishes here so every dispatcher looks now. */
export const KICK_CHANNEL = 'commands:engine:kick';

/** The engine as features (the commands API) and tests use it: `fastify.commandEngine`. */
export interface CommandEngine {
  /** Asks for a dispatcher pass soon on this instance (after a command was stored or approved). */
  kick(): void;
  /** One dispatcher pass now (tests, and the timer); resolves to the targets sent. */
  dispatchPass(): Promise<number>;
  /** One sweeper pass now. */
  sweepPass(): Promise<SweepResult>;
  /**
   * Sends a signed CancelCommand to each agent holding not-started targets of the command; resolves to how many
   * targets it asked to cancel. The command's own status and its queued targets are the caller's.
   */
  cancelDispatched(commandId: string): Promise<number>;
  /** Resolves when every command update received so far has been applied. */
  drained(): Promise<void>;
  readonly metrics: EngineMetrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    commandEngine: CommandEngine;
  }
}

export interface CommandEngineOptions {
  now?: () => number;
  settings?: Partial<EngineSettings>;
  /** Run the dispatcher and sweeper on timers (default true); tests may drive passes themselves. */
  timers?: boolean;
}

/** Runs `pass` at most once at a time; a call while it runs schedules exactly one more run after it. */
function serialized<T>(pass: () => Promise<T>, onError: (error: unknown) => void) {
  let running: Promise<T | undefined> | undefined;
  let again = false;
  const run = (): Promise<T | undefined> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = pass()
      .catch((error: unknown) => {
        onError(error);
        return undefined;
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          void run();
        }
      });
    return running;
  };
  /** Resolves once no run is in flight (without starting one). */
  const settled = async (): Promise<void> => {
    again = false;
    while (running !== undefined) await running;
  };
  return { run, settled };
}

/**
 * The command engine: dispatcher (timer + kicks), CommandUpdate consumer (MQTT), sweeper (timer). Needs the
 * broker, the platform and the vault (`fastify.vault`) registered before it.
 */
const commandEngineFeature: FastifyPluginAsync<CommandEngineOptions> = async (fastify, options) => {
  const deps: EngineDeps = {
    db: fastify.db,
    broker: fastify.broker,
    vault: fastify.vault,
    notifier: fastify.platform.notifier,
    log: fastify.log.child({ feature: 'command-engine' }) as unknown as EngineDeps['log'],
    now: options.now ?? Date.now,
    settings: { ...DEFAULT_ENGINE_SETTINGS, ...options.settings },
    metrics: newEngineMetrics(),
  };
  let closing = false;
  const dispatch = serialized(
    () => dispatchPass(deps),
    (error) => deps.log.error({ err: error }, 'dispatcher pass failed'),
  );
  const sweep = serialized(
    () => sweepPass(deps),
    (error) => deps.log.error({ err: error }, 'sweeper pass failed'),
  );
  const queue = new KeyedQueue();

  const engine: CommandEngine = {
    kick() {
      if (!closing) void dispatch.run();
    },
    dispatchPass: async () => (await dispatch.run()) ?? 0,
    sweepPass: async () => (await sweep.run()) ?? { expired: 0, timedOut: 0, resent: 0, finished: 0 },
    cancelDispatched: (commandId) => cancelOnAgents(deps, commandId),
    drained: () => queue.drain(),
    metrics: deps.metrics,
  };
  fastify.decorate('commandEngine', engine);
  // The commands API cancels through the engine once it is here (features/commands CommandsHandle).
  if (fastify.hasDecorator('commands')) {
    fastify.commands.cancelDispatched = async (commandId) => {
      await engine.cancelDispatched(commandId);
    };
  }
  // A command stored or approved over HTTP on this instance: look now rather than at the next tick.
  fastify.addHook('onResponse', async (request, reply) => {
    if (request.method === 'POST' && reply.statusCode < 300 && request.url.startsWith('/api/commands'))
      engine.kick();
  });

  // One agent's updates in arrival order (received before running before succeeded); agents in parallel.
  const unsubscribe = await fastify.broker.subscribe(allAgentsTopic('command-update'), (topic, payload) => {
    const { agentId } = parseAgentTopic(topic);
    return queue.add(agentId, () =>
      handleUpdate(deps, agentId, payload).catch((error: unknown) =>
        deps.log.error({ err: error, agentId }, 'command update handling failed'),
      ),
    );
  });
  const unkick = await deps.notifier.subscribe(KICK_CHANNEL, () => engine.kick());
  // Once per birth across instances (the events inbox): what the agent missed while away goes again. The work runs
  // after the inbox transaction (it publishes and writes on its own connection; SQLite has only one), queued per
  // agent; a crash in between loses that redelivery, and the targets then expire or time out as usual.
  const stopRedelivery = await fastify.platform.events.consume(
    'agent',
    'command-redelivery',
    async (event) => {
      const agentId = event.payload.agentId;
      if (event.type !== 'agent.online' || typeof agentId !== 'string' || closing) return;
      setImmediate(() => {
        void queue.add(agentId, async () => {
          const sent = await redeliverToAgent(deps, agentId);
          if (sent > 0) deps.log.info({ agentId, sent }, 'unacknowledged commands redelivered');
        });
      });
    },
  );

  const timers: NodeJS.Timeout[] = [];
  if (options.timers !== false) {
    fastify.addHook('onReady', async () => {
      timers.push(setInterval(() => void dispatch.run(), deps.settings.dispatchEveryMs));
      timers.push(setInterval(() => void sweep.run(), deps.settings.sweepEveryMs));
      for (const timer of timers) timer.unref();
    });
  }

  fastify.addHook('onClose', async () => {
    closing = true;
    for (const timer of timers) clearInterval(timer);
    await unkick();
    await stopRedelivery();
    await unsubscribe();
    await queue.drain();
    // Let a pass in flight finish before the database closes.
    await Promise.all([dispatch.settled(), sweep.settled()]);
  });
};

export default fp(commandEngineFeature, {
  name: 'command-engine',
  dependencies: ['broker', 'platform', 'vault'],
});
