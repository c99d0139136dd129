// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

/**
 * The notification outbox: one row per email the account workflow decided to send, unique per
 * (account, cycle, kind, key, firing), so a retried or replayed decision finds the row its first
 * attempt wrote. `message_id` is derived from that key and stays the same across resends. The
 * delivery columns are what ops read: status, attempts, the last error and the server's answer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigint', (col) => col.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('cycle_start', 'timestamptz', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('firing', 'integer', (col) => col.notNull())
    .addColumn('message_id', 'text', (col) => col.notNull().unique())
    .addColumn('recipients', sql`text[]`, (col) => col.notNull())
    .addColumn('content', 'jsonb', (col) => col.notNull())
    // pending | sent | no_recipients | rejected | failed
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'timestamptz')
    // While set and in the future, the attempt holding `claim_token` sends the row; no other does.
    .addColumn('lease_until', 'timestamptz')
    .addColumn('claim_token', 'text')
    .addColumn('smtp_response', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'notifications_status',
      sql`status in ('pending', 'sent', 'no_recipients', 'rejected', 'failed')`,
    )
    .addCheckConstraint('notifications_firing_positive', sql`firing >= 1`)
    .addUniqueConstraint('notifications_firing', [
      'account_id',
      'cycle_start',
      'kind',
      'key',
      'firing',
    ])
    .execute();
  // The backlog ops watch: what is not sent yet, oldest first.
  await db.schema
    .createIndex('notifications_pending')
    .on('notifications')
    .column('created_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
}
