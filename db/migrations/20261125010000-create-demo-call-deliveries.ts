// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

/**
 * Call events the first demo (`npm start`, `billing demo`) delivers, every delivery kept as sent
 * (duplicates included: the billing core decides what counts). A demo table, not the billing
 * schema: the account workflow brings the real calls table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('demo_call_deliveries')
    .addColumn('id', 'bigint', (col) => col.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('run_id', 'text', (col) => col.notNull())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('delivery_seq', 'integer', (col) => col.notNull())
    .addColumn('arrived_at', 'timestamptz', (col) => col.notNull())
    .addColumn('event', 'jsonb', (col) => col.notNull())
    .addColumn('stored_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // A retried store activity inserts nothing twice.
    .addUniqueConstraint('demo_call_deliveries_delivery', ['run_id', 'account_id', 'delivery_seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('demo_call_deliveries').execute();
}
