/**
 * Emailing a recorded notification again: a new outbox row linked to the original, with a
 * Message-ID of its own, to the account's billing emails of now, sent by the same code as the
 * worker's `sendNotification`. The request id is the resend's idempotency key (unique per account
 * in the database): the same request again sends nothing new and reports the first result.
 */
import {
  createNotificationSender,
  resendMessageId,
  type NotifyDeps,
} from '../activities/notify.js';
import {
  findNotification,
  findResend,
  insertResendOnce,
} from '../db/repositories/notifications.js';
import type { AccountRow, NotificationRow } from '../db/schema.js';

/** Outside an activity nothing heartbeats: one send holds the row this long. */
const RESEND_LEASE_MS = 60_000;

/** A resend refused as asked: nothing to resend (`not_found`), or a request to change. */
export class ResendRefusedError extends Error {
  override readonly name = 'ResendRefusedError';
  constructor(
    readonly kind: 'not_found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export interface ResendRequest {
  readonly account: AccountRow;
  readonly notificationId: bigint;
  readonly requestId: string;
}

export interface ResendResult {
  readonly original: NotificationRow;
  /** The resend's row as it stands after this request: sent, or why not. */
  readonly resend: NotificationRow;
  /** True when the request id was used before: nothing new was recorded. */
  readonly replayed: boolean;
  /** Why this request's send failed (the row keeps it too), or null. */
  readonly sendError: string | null;
}

export async function resendNotification(
  deps: NotifyDeps,
  { account, notificationId, requestId }: ResendRequest,
): Promise<ResendResult> {
  const original = await findNotification(deps.db, notificationId);
  if (original?.account_id !== account.id) {
    throw new ResendRefusedError(
      'not_found',
      `account ${account.id} has no notification ${notificationId}`,
    );
  }
  const replayed = (await findResend(deps.db, account.id, requestId)) !== undefined;
  if (!replayed && account.billing_emails.length === 0) {
    throw new ResendRefusedError(
      'invalid',
      `account ${account.id} has no billing emails: set them first (billing accounts set-emails)`,
    );
  }
  const row = await insertResendOnce(deps.db, original, {
    requestId,
    messageId: resendMessageId(account.id, requestId, deps.messageIdDomain),
    recipients: account.billing_emails,
  });
  if (row.resend_of !== original.id) {
    throw new ResendRefusedError(
      'invalid',
      `request id ${requestId} already resent notification ${String(row.resend_of)}: use a new one`,
    );
  }
  // A row still pending (a first run that stopped before sending) is sent now; a row already
  // sent, rejected or failed stands as it is and is sent no more.
  if (row.status !== 'pending') return { original, resend: row, replayed, sendError: null };
  let sendError: string | null = null;
  try {
    await createNotificationSender(deps)(
      { accountId: account.id, id: String(row.id) },
      { leaseMs: RESEND_LEASE_MS, heartbeat: () => {} },
    );
  } catch (error) {
    sendError = error instanceof Error ? error.message : String(error);
  }
  const resend = await findNotification(deps.db, row.id);
  if (resend === undefined) throw new Error(`notification ${row.id} vanished`);
  return { original, resend, replayed, sendError };
}
