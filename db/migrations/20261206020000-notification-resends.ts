// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

/**
 * Resends (`billing notifications resend`): an ops action that emails a recorded notification
 * again, as a new outbox row of its own with its own Message-ID, linked to the row it resends.
 * `resend_request_id` is the action's idempotency key: unique per account, so the same request
 * run twice finds the row the first run wrote and sends nothing new.
 *
 * A resend row carries the same (account, cycle, kind, key, firing) as the row it resends, so the
 * uniqueness of a firing now holds among the workflow's own rows only (`resend_of is null`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('notifications')
    .addColumn('resend_of', 'bigint', (col) => col.references('notifications.id'))
    .addColumn('resend_request_id', 'text')
    .execute();
  await db.schema
    .alterTable('notifications')
    .addCheckConstraint(
      'notifications_resend_request',
      sql`(resend_of is null) = (resend_request_id is null)`,
    )
    .execute();
  await db.schema
    .alterTable('notifications')
    .addUniqueConstraint('notifications_resend_request_id', ['account_id', 'resend_request_id'])
    .execute();
  await db.schema.alterTable('notifications').dropConstraint('notifications_firing').execute();
  await db.schema
    .createIndex('notifications_firing')
    .on('notifications')
    .columns(['account_id', 'cycle_start', 'kind', 'key', 'firing'])
    .unique()
    .where(sql.ref('resend_of'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from notifications where resend_of is not null`.execute(db);
  await db.schema.dropIndex('notifications_firing').execute();
  await db.schema
    .alterTable('notifications')
    .addUniqueConstraint('notifications_firing', [
      'account_id',
      'cycle_start',
      'kind',
      'key',
      'firing',
    ])
    .execute();
  await db.schema
    .alterTable('notifications')
    .dropColumn('resend_request_id')
    .dropColumn('resend_of')
    .execute();
}
