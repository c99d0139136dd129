// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

/**
 * The first demo's table goes: the demo now runs through the account workflow, whose calls live in
 * `calls` and `rejected_events`. `down` recreates the table as 20261125010000 created it (empty).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('demo_call_deliveries').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('demo_call_deliveries')
    .addColumn('id', 'bigint', (col) => col.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('run_id', 'text', (col) => col.notNull())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('delivery_seq', 'integer', (col) => col.notNull())
    .addColumn('arrived_at', 'timestamptz', (col) => col.notNull())
    .addColumn('event', 'jsonb', (col) => col.notNull())
    .addColumn('stored_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('demo_call_deliveries_delivery', ['run_id', 'account_id', 'delivery_seq'])
    .execute();
}
