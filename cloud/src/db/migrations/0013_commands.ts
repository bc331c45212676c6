import type { Kysely } from 'kysely';

// Placeholder registered ahead of issue #6 work so each part edits only its own file; filled before it lands.
export async function up(_db: Kysely<unknown>): Promise<void> {}
