/**
 * The notification outbox. A row's unique key (account, cycle, kind, key, firing) makes the
 * decision to send idempotent; a short lease makes one attempt at a time the sender; the delivery
 * columns record what happened for ops.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type {
  Database,
  NewNotificationRow,
  NotificationRow,
  NotificationStatus,
} from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Inserts the notification unless its firing is already recorded; returns the row that stands. */
export async function insertNotificationOnce(
  db: Db,
  row: NewNotificationRow,
): Promise<NotificationRow> {
  await db
    .insertInto('notifications')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['account_id', 'cycle_start', 'kind', 'key', 'firing']).doNothing(),
    )
    .execute();
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('account_id', '=', row.account_id)
    .where('cycle_start', '=', row.cycle_start)
    .where('kind', '=', row.kind)
    .where('key', '=', row.key)
    .where('firing', '=', row.firing)
    .executeTakeFirstOrThrow();
}

/**
 * Takes the lease on a pending row for `leaseMs` and counts the attempt; undefined when the row is
 * no longer pending or another attempt holds an unexpired lease.
 */
export async function claimNotification(
  db: Db,
  id: bigint,
  leaseMs: number,
): Promise<NotificationRow | undefined> {
  return db
    .updateTable('notifications')
    .set({
      lease_until: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`,
      attempts: sql<number>`attempts + 1`,
      last_attempt_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

/** Ends an attempt: a final status, or (`pending`) the error that the next attempt retries. */
export async function settleNotification(
  db: Db,
  id: bigint,
  outcome:
    | { status: 'sent'; smtpResponse: string }
    | { status: Exclude<NotificationStatus, 'sent'>; error: string | null },
): Promise<void> {
  await db
    .updateTable('notifications')
    .set({
      status: outcome.status,
      lease_until: null,
      ...(outcome.status === 'sent'
        ? { sent_at: sql<Date>`now()`, smtp_response: outcome.smtpResponse, last_error: null }
        : { last_error: outcome.error }),
    })
    .where('id', '=', id)
    .execute();
}

/** An account's notifications, newest first. */
export async function listNotifications(
  db: Db,
  accountId: string,
  options: { status?: NotificationStatus; limit?: number } = {},
): Promise<NotificationRow[]> {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100);
  if (options.status !== undefined) query = query.where('status', '=', options.status);
  return query.execute();
}
