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

/**
 * Records notifications unless their firing is already recorded, in one transaction; returns the
 * id of the row that stands for each, in order.
 */
export async function insertNotificationsOnce(
  db: Kysely<Database>,
  rows: readonly NewNotificationRow[],
): Promise<bigint[]> {
  return db.transaction().execute(async (trx) => {
    const ids: bigint[] = [];
    for (const row of rows) {
      await trx
        .insertInto('notifications')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['account_id', 'cycle_start', 'kind', 'key', 'firing'])
            .where('resend_of', 'is', null)
            .doNothing(),
        )
        .execute();
      const { id } = await trx
        .selectFrom('notifications')
        .select('id')
        .where('account_id', '=', row.account_id)
        .where('cycle_start', '=', row.cycle_start)
        .where('kind', '=', row.kind)
        .where('key', '=', row.key)
        .where('firing', '=', row.firing)
        .where('resend_of', 'is', null)
        .executeTakeFirstOrThrow();
      ids.push(id);
    }
    return ids;
  });
}

export async function findNotification(db: Db, id: bigint): Promise<NotificationRow | undefined> {
  return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Takes the lease on a pending row for `leaseMs` under `claimToken` and counts the attempt;
 * undefined when the row is no longer pending or another attempt holds an unexpired lease.
 */
export async function claimNotification(
  db: Db,
  id: bigint,
  claimToken: string,
  leaseMs: number,
): Promise<NotificationRow | undefined> {
  return db
    .updateTable('notifications')
    .set({
      lease_until: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`,
      claim_token: claimToken,
      attempts: sql<number>`attempts + 1`,
      last_attempt_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

/** Records that the SMTP server accepted the row's message, whoever holds the lease now. */
export async function markNotificationSent(
  db: Db,
  id: bigint,
  smtpResponse: string,
): Promise<void> {
  await db
    .updateTable('notifications')
    .set({
      status: 'sent',
      sent_at: sql<Date>`now()`,
      smtp_response: smtpResponse,
      last_error: null,
      lease_until: null,
      claim_token: null,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Ends the attempt holding `claimToken` without a delivery: a final status, or `pending` with the
 * error the next attempt retries. A stale attempt (its lease taken over) changes nothing.
 */
export async function releaseNotification(
  db: Db,
  id: bigint,
  claimToken: string,
  outcome: { status: Exclude<NotificationStatus, 'sent'>; error: string },
): Promise<void> {
  await db
    .updateTable('notifications')
    .set({
      status: outcome.status,
      last_error: outcome.error,
      lease_until: null,
      claim_token: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('claim_token', '=', claimToken)
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

/** The resend an account recorded under `requestId`, if it used that request id. */
export async function findResend(
  db: Db,
  accountId: string,
  requestId: string,
): Promise<NotificationRow | undefined> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('resend_request_id', '=', requestId)
    .executeTakeFirst();
}

/**
 * Records a resend of `original` (its cycle, kind, key, firing and content) under `requestId`,
 * unless the account already used that request id: the unique (account, resend request id) key
 * makes the first row stand, even for two racing runs. Returns the row that stands.
 */
export async function insertResendOnce(
  db: Kysely<Database>,
  original: NotificationRow,
  resend: { requestId: string; messageId: string; recipients: string[] },
): Promise<NotificationRow> {
  await db
    .insertInto('notifications')
    .values({
      account_id: original.account_id,
      cycle_start: original.cycle_start,
      kind: original.kind,
      key: original.key,
      firing: original.firing,
      message_id: resend.messageId,
      recipients: resend.recipients,
      content: JSON.stringify(original.content),
      resend_of: original.id,
      resend_request_id: resend.requestId,
    })
    .onConflict((oc) => oc.columns(['account_id', 'resend_request_id']).doNothing())
    .execute();
  const row = await findResend(db, original.account_id, resend.requestId);
  if (row === undefined) throw new Error(`resend ${resend.requestId} vanished`);
  return row;
}
