// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

/**
 * The account workflow's tables. PostgreSQL is the authority for what was received (calls,
 * rejections, batch outcomes, requests, invoices); the workflow's ledger is the authority for
 * totals. Every idempotency key is a primary key or a unique constraint, never a check-then-insert.
 * Raw events are JSON text, not jsonb: jsonb refuses `\u0000`, and a bad event must still be kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    // The plan JSON as given (BILLING-RULES.md section 2), validated before insert.
    .addColumn('definition', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('time_zone', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('billing_anchor', 'text')
    .addColumn('grace_seconds', 'integer', (col) => col.notNull())
    .addColumn('max_late_seconds', 'integer', (col) => col.notNull())
    .addColumn('plan_id', 'text', (col) => col.notNull().references('plans.id'))
    .addColumn('billing_emails', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn('registered_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // Accepted calls: the unique (account, call id) key is the deduplication authority.
  await db.schema
    .createTable('calls')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('call_id', 'text', (col) => col.notNull())
    // The validated event (times as epoch ms, defaults filled), compared with later resends.
    .addColumn('event', 'text', (col) => col.notNull())
    .addColumn('raw', 'text', (col) => col.notNull())
    .addColumn('answered_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz', (col) => col.notNull())
    .addColumn('arrived_at', 'timestamptz', (col) => col.notNull())
    .addColumn('batch_id', 'text', (col) => col.notNull())
    // The event's place in its batch: with the batch, the order the ledger booked calls in.
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('calls_pkey', ['account_id', 'call_id'])
    .execute();

  await db.schema
    .createTable('rejected_events')
    .addColumn('id', 'bigint', (col) => col.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('call_id', 'text')
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('detail', 'text', (col) => col.notNull())
    // Null only for an event too large to buffer: its size is kept instead.
    .addColumn('raw', 'text')
    .addColumn('raw_bytes', 'integer')
    .addColumn('arrived_at', 'timestamptz', (col) => col.notNull())
    .addColumn('batch_id', 'text', (col) => col.notNull())
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('rejected_events_batch_position', ['account_id', 'batch_id', 'position'])
    .execute();
  await db.schema
    .createIndex('rejected_events_account_reason')
    .on('rejected_events')
    .columns(['account_id', 'reason'])
    .execute();

  // One row per flushed batch: a retried ingest activity returns the outcomes its first
  // attempt committed, so "accepted" is never turned into "duplicate" by a crash.
  await db.schema
    .createTable('ingest_batches')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('batch_id', 'text', (col) => col.notNull())
    .addColumn('outcomes', 'text', (col) => col.notNull())
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ingest_batches_pkey', ['account_id', 'batch_id'])
    .execute();

  // Purchases, cancels, plan changes and payment retries, by their client-chosen id.
  await db.schema
    .createTable('account_requests')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('request_id', 'text', (col) => col.notNull())
    // Which workflow step wrote the row: its own retry recognises it, a replay does not.
    .addColumn('claim_token', 'text', (col) => col.notNull())
    .addColumn('request', 'jsonb', (col) => col.notNull())
    // The workflow time the request was handled: where the ledger applied it.
    .addColumn('arrived_at', 'timestamptz', (col) => col.notNull())
    // Null from the claim until the workflow has applied the request.
    .addColumn('result', 'jsonb')
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('account_requests_pkey', ['account_id', 'kind', 'request_id'])
    .execute();

  // One invoice per account and cycle; it records the one successful charge.
  await db.schema
    .createTable('invoices')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('cycle_start', 'timestamptz', (col) => col.notNull())
    .addColumn('cycle_end', 'timestamptz', (col) => col.notNull())
    .addColumn('cycle_index', 'integer', (col) => col.notNull())
    .addColumn('statement', 'jsonb', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('amount_minor', 'bigint', (col) => col.notNull())
    // no_charge | due | paid | payment_failed
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('payment_attempt', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('payment_reference', 'text')
    .addColumn('payment_error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('invoices_pkey', ['account_id', 'cycle_start'])
    .execute();

  // The default payment adapter: amounts to collect, by idempotency key.
  await db.schema
    .createTable('payment_collections')
    .addColumn('idempotency_key', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('cycle_start', 'timestamptz', (col) => col.notNull())
    .addColumn('amount_minor', 'bigint', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'payment_collections',
    'invoices',
    'account_requests',
    'ingest_batches',
    'rejected_events',
    'calls',
    'accounts',
    'plans',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
