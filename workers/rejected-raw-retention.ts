/**
 * The retention of refused events' raw text: the worker clears what arrived more than the
 * configured days ago, at start and then every hour. The rows stay (call id, reason, arrival,
 * size): ops can still count and explain rejections, but a sender's junk is not kept forever.
 * Every worker runs it; the update is idempotent, so several at once only repeat each other.
 */
import type { Kysely } from 'kysely';
import { forgetRejectedRaw } from '../db/repositories/calls.js';
import type { Database } from '../db/schema.js';

const EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface RetentionLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

/** Clears once: the raw text of events that arrived before `now - days`. */
export async function applyRejectedRawRetention(
  db: Kysely<Database>,
  days: number,
  now: number,
): Promise<number> {
  return forgetRejectedRaw(db, new Date(now - days * DAY_MS));
}

/** Starts the hourly retention; the returned function stops it. */
export function startRejectedRawRetention(
  db: Kysely<Database>,
  days: number,
  log: RetentionLog,
): () => void {
  const run = () => {
    applyRejectedRawRetention(db, days, Date.now()).then(
      (cleared) => {
        if (cleared > 0)
          log.info('refused events past retention: raw text cleared', { cleared, days });
      },
      (error: unknown) =>
        log.warn('refused events retention failed; tried again within the hour', {
          error: error instanceof Error ? error.message : String(error),
        }),
    );
  };
  run();
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
