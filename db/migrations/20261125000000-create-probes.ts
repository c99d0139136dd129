// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('probes')
    .addColumn('id', 'bigint', (col) => col.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('probe_id', 'text', (col) => col.notNull().unique())
    .addColumn('worker_identity', 'text', (col) => col.notNull())
    .addColumn('activity_attempt', 'integer', (col) => col.notNull())
    .addColumn('email_message_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('probes').execute();
}
