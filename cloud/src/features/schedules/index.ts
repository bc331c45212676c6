import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import cron, { type ScheduledTask } from 'node-cron';
import { ok } from '../../http/envelope.js';
import { principalOf } from '../../plugins/access.js';
import {
  type CommandTemplate,
  createScheduleBody,
  deletedScheduleResponse,
  type ScheduleInput,
  scheduleListResponse,
  scheduleParams,
  scheduleResponse,
  siteParams,
  updateScheduleBody,
} from './schemas.js';
import {
  changeSchedule,
  createSchedule,
  type FireOutcome,
  fireDue,
  getSchedule,
  getSchedules,
  removeSchedule,
} from './service.js';

export { checkCron, fireKey, firesAt } from './cron.js';

export interface SchedulesOptions {
  now?: () => number;
  /** Fire schedules on a node-cron minute tick (default true); tests call fireNow() instead. */
  timers?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    schedules: {
      /** Fires the schedules due in the current minute (the tick's work; tests). */
      fireNow(): Promise<FireOutcome[]>;
    };
  }
}

interface SiteParams {
  siteId: string;
}
interface ScheduleParams extends SiteParams {
  id: string;
}

/**
 * A site's scheduled commands: CRUD under /api/sites/:siteId/schedules (hosting staff of the tenant), and a
 * runner that each minute creates the due schedules' commands through the commands service. Several instances
 * may run it: the idempotency key of a fire makes their commands one.
 */
const schedulesFeature: FastifyPluginAsync<SchedulesOptions> = async (fastify, options) => {
  const now = options.now ?? Date.now;
  const { db } = fastify;
  const log = fastify.log.child({ feature: 'schedules' });

  fastify.get<{ Params: SiteParams }>(
    '/api/sites/:siteId/schedules',
    {
      config: { access: 'hosting' },
      schema: { params: siteParams, response: { 200: scheduleListResponse } },
    },
    async (request) => ok({ schedules: await getSchedules(db, principalOf(request), request.params.siteId) }),
  );

  fastify.get<{ Params: ScheduleParams }>(
    '/api/sites/:siteId/schedules/:id',
    {
      config: { access: 'hosting' },
      schema: { params: scheduleParams, response: { 200: scheduleResponse } },
    },
    async (request) =>
      ok(await getSchedule(db, principalOf(request), request.params.siteId, request.params.id)),
  );

  fastify.post<{
    Params: SiteParams;
    Body: ScheduleInput & { name: string; cron: string; command: CommandTemplate };
  }>(
    '/api/sites/:siteId/schedules',
    {
      config: { access: 'hosting' },
      schema: { params: siteParams, body: createScheduleBody, response: { 201: scheduleResponse } },
    },
    async (request, reply) => {
      const view = await createSchedule(db, principalOf(request), request.params.siteId, request.body, now());
      return reply.status(201).send(ok(view));
    },
  );

  fastify.patch<{ Params: ScheduleParams; Body: ScheduleInput }>(
    '/api/sites/:siteId/schedules/:id',
    {
      config: { access: 'hosting' },
      schema: { params: scheduleParams, body: updateScheduleBody, response: { 200: scheduleResponse } },
    },
    async (request) =>
      ok(
        await changeSchedule(
          db,
          principalOf(request),
          request.params.siteId,
          request.params.id,
          request.body,
          now(),
        ),
      ),
  );

  fastify.delete<{ Params: ScheduleParams }>(
    '/api/sites/:siteId/schedules/:id',
    {
      config: { access: 'hosting' },
      schema: { params: scheduleParams, response: { 200: deletedScheduleResponse } },
    },
    async (request) => {
      await removeSchedule(db, principalOf(request), request.params.siteId, request.params.id);
      return ok({ id: request.params.id });
    },
  );

  let running: Promise<FireOutcome[]> | undefined;
  const fireNow = async (): Promise<FireOutcome[]> => {
    if (running !== undefined) return running;
    running = (async () => {
      const outcomes = await fireDue(fastify.commands.deps, now(), (error, scheduleId) =>
        log.error({ err: error, scheduleId }, 'scheduled command not created'),
      );
      for (const outcome of outcomes) {
        if (outcome.error === '') log.info(outcome, 'schedule fired');
        else log.warn(outcome, 'schedule fired without a command');
      }
      if (outcomes.some((o) => o.commandId !== null) && fastify.hasDecorator('commandEngine')) {
        fastify.commandEngine.kick();
      }
      return outcomes;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  fastify.decorate('schedules', { fireNow });

  let task: ScheduledTask | undefined;
  if (options.timers !== false) {
    fastify.addHook('onReady', async () => {
      task = cron.schedule(
        '* * * * *',
        () =>
          fireNow().catch((error: unknown) => {
            log.error({ err: error }, 'schedule tick failed');
          }),
        { name: 'command-schedules', timezone: 'UTC' },
      );
    });
  }
  fastify.addHook('onClose', async () => {
    await task?.destroy();
    await running?.catch(() => undefined);
  });
};

export default fp(schedulesFeature, { name: 'schedules', dependencies: ['commands'] });
