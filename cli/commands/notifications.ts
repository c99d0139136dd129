/**
 * `billing notifications <accountId> [--status <status>] [--limit <n>] [--json]`: an account's
 * emails as the outbox recorded them, newest first: what, to whom, delivered or not and why.
 */
import { parseArgs } from 'node:util';
import { createDb } from '../../db/connection.js';
import { listNotifications } from '../../db/repositories/notifications.js';
import type { NotificationRow, NotificationStatus } from '../../db/schema.js';
import { loadConfig } from '../../workers/config.js';

const USAGE =
  'usage: billing notifications <accountId> [--status pending|sent|rejected|no_recipients] ' +
  '[--limit n] [--json]\n';
const STATUSES: readonly NotificationStatus[] = ['pending', 'sent', 'rejected', 'no_recipients'];

function view(row: NotificationRow) {
  return {
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
  };
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        status: { type: 'string' },
        limit: { type: 'string', default: '50' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`notifications: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const status = values.status as NotificationStatus | undefined;
  const limit = Number(values.limit);
  if (
    positionals.length !== 1 ||
    (status !== undefined && !STATUSES.includes(status)) ||
    !Number.isInteger(limit) ||
    limit < 1
  ) {
    process.stderr.write(USAGE);
    return 2;
  }
  const db = createDb(loadConfig().postgres.url, { maxConnections: 1 });
  try {
    const rows = await listNotifications(db, positionals[0]!, { status, limit });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(rows.map(view), null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) {
      process.stdout.write(`no notifications for ${positionals[0]}\n`);
      return 0;
    }
    for (const row of rows) {
      const v = view(row);
      const what = `${v.kind}:${v.key}#${v.firing}`;
      const detail = v.status === 'sent' ? `sent ${v.sentAt}` : (v.lastError ?? '');
      process.stdout.write(
        `${v.createdAt}  ${what.padEnd(28)} ${v.status.padEnd(13)} ${String(v.attempts).padStart(3)} ` +
          `attempt(s)  ${v.recipients.join(', ') || '-'}  ${detail}\n`,
      );
    }
    return 0;
  } catch (error) {
    process.stderr.write(`notifications: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}
