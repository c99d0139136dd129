/**
 * Customer emails through the notification outbox, at most once per firing.
 *
 * 1. `recordNotifications`: each firing the workflow decided is recorded (unique per account,
 *    cycle, kind, key and firing) with its recipients and content, unless an earlier attempt or
 *    run recorded it: that row then stands. Ops see it from here on.
 * 2. `sendNotification`: an attempt takes the row's lease (one sender at a time, across workers
 *    and runs), sends the email with a Message-ID derived from the row's key, and marks it sent.
 *
 * A retry after step 2 finds the row sent and sends nothing. The one window left is a worker that
 * dies after the SMTP server accepted the message and before the row says so: the next attempt
 * sends it again with the same Message-ID (docs/notifications.md says what receivers do with it).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { NotificationContent } from '../billing/notification-content.js';
import type { RenderedEmail } from '../emails/email.js';
import { renderEmail } from '../emails/render.js';
import { formatInstant } from '../billing/units.js';
import { EMAIL_REJECTED_ERROR, EMAIL_RENDER_ERROR } from '../contract/failures.js';
import { findAccount } from '../db/repositories/accounts.js';
import {
  claimNotification,
  findNotification,
  insertNotificationsOnce,
  markNotificationSent,
  releaseNotification,
} from '../db/repositories/notifications.js';
import type { Database, NotificationRow, NotificationStatus } from '../db/schema.js';
import type { Config } from '../config/config.js';
import { signBillingLink } from '../links/signed-link.js';
import { isPermanentSmtpFailure, messageIdOf, type Mailer } from '../mail/mailer.js';

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

/**
 * The Message-ID of a resend: its own (a receiver that dropped or lost the first copy takes this
 * one), derived from the resend's request id, so running the same resend again repeats it.
 */
export function resendMessageId(accountId: string, requestId: string, domain: string): string {
  return messageIdOf(['resend', requestId, accountId], domain);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One attempt's terms: how long it holds the row, and how it tells Temporal it is alive. */
export interface SendAttempt {
  readonly leaseMs: number;
  readonly heartbeat: () => void;
}

/**
 * Sends one recorded notification unless it was sent already: the `sendNotification` activity's
 * body, and what `billing notifications resend` runs for a resend row, so both send the same way.
 */
export function createNotificationSender(deps: NotifyDeps) {
  function render(row: NotificationRow, timeZone: string): RenderedEmail {
    // The link's expiry counts from when the email was decided, so a resend carries the same link.
    const expiresAt = row.created_at.getTime() + deps.links.ttlSeconds * 1000;
    return renderEmail(row.content as NotificationContent, {
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
  }

  /**
   * Marks the row sent. The message is out, so a database outage is waited out here until the
   * lease ends (after that another attempt could take the row and send it again).
   */
  async function recordSent(
    row: NotificationRow,
    response: string,
    leaseEnd: number,
    heartbeat: () => void,
  ) {
    for (let attempt = 1; ; attempt++) {
      try {
        await markNotificationSent(deps.db, row.id, response);
        return;
      } catch (error) {
        if (Date.now() + 1000 >= leaseEnd) throw error;
        heartbeat();
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * attempt)));
      }
    }
  }

  /** A row the workflow names but cannot be sent (a database restored without it, a bug). */
  function missing(input: { accountId: string; id: string }, why: string): ApplicationFailure {
    return ApplicationFailure.create({
      type: EMAIL_REJECTED_ERROR,
      message: `notification ${input.id} of account ${input.accountId} ${why}`,
      nonRetryable: true,
    });
  }

  return async function sendRecorded(
    input: { accountId: string; id: string },
    { leaseMs, heartbeat }: SendAttempt,
  ): Promise<NotifyResult> {
    const id = BigInt(input.id);
    const claimToken = randomUUID();
    const claimedAt = Date.now();
    const row = await claimNotification(deps.db, id, claimToken, leaseMs);
    if (row?.account_id !== undefined && row.account_id !== input.accountId) {
      throw missing(input, 'belongs to another account');
    }
    if (row === undefined) {
      const current = await findNotification(deps.db, id);
      if (current?.account_id !== input.accountId) {
        throw missing(
          input,
          current === undefined ? 'does not exist' : 'belongs to another account',
        );
      }
      if (current.status !== 'pending') {
        return {
          status: current.status,
          messageId: current.message_id,
          attempts: current.attempts,
        };
      }
      // Another attempt holds the lease (a worker that died mid-send, or a run that continued
      // as new while sending): retried until it ends or its lease runs out.
      throw new Error(`${current.message_id} is being sent by another attempt`);
    }
    const done = (status: NotificationStatus): NotifyResult => ({
      status,
      messageId: row.message_id,
      attempts: row.attempts,
    });
    if (row.recipients.length === 0) {
      const error = 'the account had no billing emails when this was decided';
      await releaseNotification(deps.db, id, claimToken, { status: 'no_recipients', error });
      return done('no_recipients');
    }
    const account = await findAccount(deps.db, row.account_id);
    let email: RenderedEmail;
    try {
      email = render(row, account?.time_zone ?? 'UTC');
    } catch (error) {
      await releaseNotification(deps.db, id, claimToken, {
        status: 'failed',
        error: `cannot render: ${errorText(error)}`,
      });
      throw ApplicationFailure.create({
        type: EMAIL_RENDER_ERROR,
        message: `${row.message_id} cannot be rendered: ${errorText(error)}`,
        nonRetryable: true,
      });
    }
    let response: string;
    try {
      ({ response } = await deps.mailer.send({
        ...email,
        to: row.recipients,
        messageId: row.message_id,
      }));
    } catch (error) {
      const permanent = isPermanentSmtpFailure(error);
      await releaseNotification(deps.db, id, claimToken, {
        status: permanent ? 'rejected' : 'pending',
        error: errorText(error),
      });
      if (!permanent) throw error;
      throw ApplicationFailure.create({
        type: EMAIL_REJECTED_ERROR,
        message: `the SMTP server refused ${row.message_id}: ${errorText(error)}`,
        nonRetryable: true,
      });
    }
    await deps.afterSmtpAccept?.(row.message_id);
    await recordSent(row, response, claimedAt + leaseMs, heartbeat);
    return done('sent');
  };
}

export function createNotifyActivities(deps: NotifyDeps) {
  const sendRecorded = createNotificationSender(deps);
  return {
    /**
     * Records the firings the workflow decided in the outbox (a firing already recorded keeps its
     * row), with the account's billing emails of now as recipients; returns the rows' ids.
     */
    async recordNotifications(input: {
      accountId: string;
      notices: NotifyInput[];
    }): Promise<{ ids: string[] }> {
      const account = await findAccount(deps.db, input.accountId);
      const ids = await insertNotificationsOnce(
        deps.db,
        input.notices.map((notice) => ({
          account_id: notice.accountId,
          cycle_start: new Date(notice.cycleStart),
          kind: notice.content.kind,
          key: notice.key,
          firing: notice.firing,
          message_id: messageIdOf(keyParts(notice), deps.messageIdDomain),
          recipients: account?.billing_emails ?? [],
          content: JSON.stringify(notice.content),
        })),
      );
      return { ids: ids.map(String) };
    },

    /** Emails one recorded notification to its recipients, unless it was sent already. */
    async sendNotification(input: { accountId: string; id: string }): Promise<NotifyResult> {
      // The lease outlives this attempt's own timeout by half, whatever this worker's settings.
      const attemptMs = Context.current().info.startToCloseTimeoutMs || deps.activityStartToCloseMs;
      return sendRecorded(input, {
        leaseMs: Math.round(attemptMs * 1.5),
        heartbeat: () => Context.current().heartbeat(),
      });
    },
  };
}
