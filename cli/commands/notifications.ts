/**
 * `billing notifications <accountId>` (or `notifications list <accountId>`): an account's emails
 * as the outbox recorded them, newest first: what, to whom, delivered or not and why.
 *
 * `billing notifications resend <accountId> <notificationId>`: emails a recorded notification
 * again (services/notification-resend.ts), once per request id.
 */
import { randomUUID } from 'node:crypto';
import { createSmtpMailer } from '../../mail/mailer.js';
import { listNotifications } from '../../db/repositories/notifications.js';
import type { NotificationRow, NotificationStatus } from '../../db/schema.js';
import { REQUEST_ID_MESSAGE, REQUEST_ID_RE } from '../../contract/ids.js';
import {
  ResendRefusedError,
  resendNotification,
  type ResendResult,
} from '../../services/notification-resend.js';
import { activityDeps } from '../../workers/activity-deps.js';
import {
  choiceOption,
  intOption,
  notFound,
  requireAccount,
  runCommand,
  runGroup,
  usageError,
} from '../output.js';

const STATUSES: readonly NotificationStatus[] = [
  'pending',
  'sent',
  'rejected',
  'no_recipients',
  'failed',
];

function view(row: NotificationRow) {
  return {
    id: String(row.id),
    kind: row.kind,
    key: row.key,
    firing: row.firing,
    cycleStart: row.cycle_start.toISOString(),
    status: row.status,
    attempts: row.attempts,
    recipients: row.recipients,
    messageId: row.message_id,
    lastError: row.last_error,
    smtpResponse: row.smtp_response,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
    resendOf: row.resend_of === null ? null : String(row.resend_of),
    resendRequestId: row.resend_request_id,
  };
}

const listSpec = {
  name: 'notifications',
  help: `usage: billing notifications [list] <accountId>
         [--status pending|sent|rejected|no_recipients|failed] [--limit n] [--json]

The account's emails from the outbox, newest first: kind, key and firing, status, attempts,
recipients, and the last error or the server's answer. The id is what resend takes.
(An account named 'list' or 'resend' is listed with 'notifications list <accountId>'.)`,
  options: { status: { type: 'string' }, limit: { type: 'string', default: '50' } },
  positionals: [1, 1],
} as const;

function runList(args: string[]): Promise<number> {
  return runCommand(listSpec, args, async ({ values, positionals }, context) => {
    const status =
      values.status === undefined ? undefined : choiceOption('status', values.status, STATUSES);
    const limit = intOption('limit', values.limit, 1, 10_000);
    const rows = await listNotifications(context.db(), positionals[0]!, { status, limit });
    const views = rows.map(view);
    const lines = views.map((v) => {
      const what = `${v.kind}:${v.key}#${v.firing}`;
      const detail = v.status === 'sent' ? `sent ${v.sentAt}` : (v.lastError ?? '');
      const resend = v.resendOf === null ? '' : ` (resend of ${v.resendOf})`;
      return (
        `${v.id.padStart(6)}  ${v.createdAt}  ${what.padEnd(28)} ${v.status.padEnd(13)} ` +
        `${String(v.attempts).padStart(3)} attempt(s)  ${v.recipients.join(', ') || '-'}  ${detail}${resend}`
      );
    });
    return {
      // An array, as this command always printed: scripts read it as is.
      json: views,
      text: lines.length === 0 ? `no notifications for ${positionals[0]}` : lines.join('\n'),
    };
  });
}

const resendSpec = {
  name: 'notifications resend',
  help: `usage: billing notifications resend <accountId> <notificationId> [--request-id <id>] [--json]

Emails notification <notificationId> (from 'billing notifications <accountId>') again to the
account's billing emails of now, as a new outbox row with its own Message-ID. Without
--request-id one is generated and printed: the same request id again sends nothing new and
reports the first result. Exit 1 when the SMTP server cannot be reached or refuses it.`,
  options: { 'request-id': { type: 'string' } },
  positionals: [2, 2],
} as const;

function runResend(args: string[]): Promise<number> {
  return runCommand(resendSpec, args, async ({ values, positionals }, context) => {
    const [accountId, notificationText] = positionals as [string, string];
    if (!/^[1-9]\d{0,18}$/.test(notificationText)) {
      throw usageError(
        `a notification id is the number 'billing notifications ${accountId}' shows, got '${notificationText}'`,
      );
    }
    const requestId = values['request-id'] ?? `resend-${randomUUID()}`;
    if (!REQUEST_ID_RE.test(requestId)) {
      throw usageError(`--request-id: ${REQUEST_ID_MESSAGE}`);
    }
    const account = await requireAccount(context, accountId);
    const config = context.config();
    const mailer = createSmtpMailer({ url: config.smtp.url, from: config.smtp.from });
    let resent: ResendResult;
    try {
      resent = await resendNotification(activityDeps(config, context.db(), mailer), {
        account,
        notificationId: BigInt(notificationText),
        requestId,
      });
    } catch (error) {
      if (!(error instanceof ResendRefusedError)) throw error;
      throw error.kind === 'not_found' ? notFound(error.message) : usageError(error.message);
    } finally {
      mailer.close();
    }
    const { original, replayed, sendError } = resent;
    const result = view(resent.resend);
    if (sendError !== null || result.status !== 'sent') {
      // Still reported in full: the row says what happened, and the same request id retries it.
      process.stderr.write(
        `billing notifications resend: ${result.messageId} is ${result.status}` +
          `${sendError === null ? '' : `: ${sendError}`}; run again with --request-id ${requestId} to retry\n`,
      );
    }
    return {
      json: { requestId, replayed, resendOf: String(original.id), notification: result },
      text:
        `${replayed ? 'already resent' : 'resent'} notification ${original.id} (${original.kind}:${original.key}#${original.firing}) ` +
        `as ${result.id} ${result.messageId}: ${result.status} to ${result.recipients.join(', ')}\n` +
        `(request ${requestId}: the same request id again sends nothing new)`,
      code: result.status === 'sent' ? 0 : 1,
    };
  });
}

export function run(args: string[]): Promise<number> {
  return runGroup(
    'notifications',
    args,
    {
      list: { summary: "an account's emails from the outbox, newest first", run: runList },
      resend: {
        summary: 'email a recorded notification again (idempotent by request id)',
        run: runResend,
      },
    },
    runList,
  );
}
