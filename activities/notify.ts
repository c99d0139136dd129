/**
 * `notify`: one customer email through the notification outbox, at most once per firing.
 *
 * 1. The firing is recorded (unique per account, cycle, kind, key and firing) with its recipients
 *    and content, unless an earlier attempt or run recorded it: that row then stands.
 * 2. An attempt takes the row's lease (one sender at a time, across workers and runs).
 * 3. The email goes out with a Message-ID derived from the row's key, and the row is marked sent.
 *
 * A retry after step 3 finds the row sent and sends nothing. The one window left is a worker that
 * dies after the SMTP server accepted the message and before the row says so: the next attempt
 * sends it again with the same Message-ID (docs/notifications.md says what receivers do with it).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { NotificationContent } from '../emails/content.js';
import { renderEmail } from '../emails/render.js';
import { formatInstant } from '../billing/units.js';
import { findAccount } from '../db/repositories/accounts.js';
import {
  claimNotification,
  insertNotificationOnce,
  settleNotification,
} from '../db/repositories/notifications.js';
import type { Database, NotificationRow, NotificationStatus } from '../db/schema.js';
import type { Config } from '../workers/config.js';
import { signBillingLink } from '../web/signed-link.js';
import { isPermanentSmtpFailure, messageIdOf, type Mailer } from './mailer.js';

export interface NotifyDeps {
  readonly db: Kysely<Database>;
  readonly mailer: Mailer;
  readonly links: Config['links'];
  readonly messageIdDomain: string;
  /** How long one attempt holds a row: no shorter than an attempt may run. */
  readonly activityStartToCloseMs: number;
  /** Test hook: runs after the SMTP server accepted a message, before the outbox records it. */
  readonly afterSmtpAccept?: (messageId: string) => Promise<void> | void;
}

/** One firing to email: what it is about (its key) and what it says. */
export interface NotifyInput {
  accountId: string;
  /** The cycle the firing belongs to (epoch ms of its start). */
  cycleStart: number;
  key: string;
  /** 1 for the first firing of this key in the cycle, 2 after it re-armed and fired again. */
  firing: number;
  content: NotificationContent;
}

export interface NotifyResult {
  status: NotificationStatus;
  messageId: string;
  attempts: number;
}

/** The outbox key's parts, which the Message-ID is made of. */
function keyParts(input: NotifyInput): string[] {
  const cycle = formatInstant(input.cycleStart).replace(/[-:]/g, '');
  return [input.content.kind, input.key, String(input.firing), cycle, input.accountId];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createNotifyActivities(deps: NotifyDeps) {
  async function deliver(row: NotificationRow, timeZone: string): Promise<NotifyResult> {
    const expiresAt = row.created_at.getTime() + deps.links.ttlSeconds * 1000;
    const email = renderEmail(row.content as NotificationContent, {
      accountId: row.account_id,
      timeZone,
      billingUrl: signBillingLink({
        baseUrl: deps.links.publicBaseUrl,
        accountId: row.account_id,
        expiresAt,
        secret: deps.links.secret,
      }),
      billingUrlExpiresAt: formatInstant(Math.floor(expiresAt / 1000) * 1000),
    });
    let response: string;
    try {
      ({ response } = await deps.mailer.send({
        ...email,
        to: row.recipients,
        messageId: row.message_id,
      }));
    } catch (error) {
      const permanent = isPermanentSmtpFailure(error);
      await settleNotification(deps.db, row.id, {
        status: permanent ? 'rejected' : 'pending',
        error: errorText(error),
      });
      if (!permanent) throw error;
      throw ApplicationFailure.create({
        type: 'EmailRejectedError',
        message: `the SMTP server refused ${row.message_id}: ${errorText(error)}`,
        nonRetryable: true,
      });
    }
    await deps.afterSmtpAccept?.(row.message_id);
    await settleNotification(deps.db, row.id, { status: 'sent', smtpResponse: response });
    return { status: 'sent', messageId: row.message_id, attempts: row.attempts };
  }

  return {
    /** Records the firing in the outbox and emails it to the account's billing contacts once. */
    async notify(input: NotifyInput): Promise<NotifyResult> {
      const account = await findAccount(deps.db, input.accountId);
      const row = await insertNotificationOnce(deps.db, {
        account_id: input.accountId,
        cycle_start: new Date(input.cycleStart),
        kind: input.content.kind,
        key: input.key,
        firing: input.firing,
        message_id: messageIdOf(keyParts(input), deps.messageIdDomain),
        recipients: account?.billing_emails ?? [],
        content: JSON.stringify(input.content),
      });
      const claimed = await claimNotification(deps.db, row.id, deps.activityStartToCloseMs);
      if (claimed === undefined) {
        if (row.status !== 'pending') {
          return { status: row.status, messageId: row.message_id, attempts: row.attempts };
        }
        // Another attempt holds the lease (a worker that died mid-send, or a run that continued
        // as new while sending): retried until it ends or its lease runs out.
        throw new Error(`${row.message_id} is being sent by another attempt`);
      }
      if (claimed.recipients.length === 0) {
        await settleNotification(deps.db, row.id, {
          status: 'no_recipients',
          error: 'the account has no billing emails',
        });
        return { status: 'no_recipients', messageId: row.message_id, attempts: claimed.attempts };
      }
      return deliver(claimed, account?.time_zone ?? 'UTC');
    },
  };
}
