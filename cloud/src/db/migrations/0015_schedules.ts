import type { Kysely } from 'kysely';

// Scheduled commands (issue #6): a site's cron expression, evaluated in the site's time zone, and the command it
// creates each time it fires. The template never holds a secret (schedules refuse pool passwords and logins).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('command_schedule')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenant.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('site.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    // Who last defined what it runs: its commands are made in that operator's name, so the same operator can
    // never approve what they scheduled (editing someone else's schedule does not dodge the two-person rule).
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_fired_at', 'bigint')
    .addColumn('last_command_id', 'text')
    .addColumn('last_error', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('command_schedule_site_idx')
    .on('command_schedule')
    .columns(['tenant_id', 'site_id'])
    .execute();
  await db.schema
    .createIndex('command_schedule_enabled_idx')
    .on('command_schedule')
    .columns(['enabled'])
    .execute();
}
