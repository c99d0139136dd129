import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { recordProbeOnce } from '../db/repositories/probes.js';
import type { Database } from '../db/schema.js';
import { type Mailer, messageIdOf } from '../mail/mailer.js';

export interface ProbeDeps {
  readonly db: Kysely<Database>;
  readonly mailer: Mailer;
  /** Written to the probe row, so a test can tell which worker process ran the activity. */
  readonly workerIdentity: string;
}

export interface ProbeActivityInput {
  readonly probeId: string;
  readonly recipient: string;
  /**
   * Milliseconds to wait, heartbeating, before doing the work: a window in which a test can kill
   * the worker mid-activity. Zero for `billing doctor`.
   */
  readonly holdMs: number;
}

export interface ProbeActivityResult {
  readonly probeId: string;
  readonly rowId: string;
  readonly workerIdentity: string;
  readonly activityAttempt: number;
  readonly emailMessageId: string;
}

/**
 * The end-to-end probe: one row in PostgreSQL (idempotent under retries: a unique probe id) and one
 * email, delivered at least once: a retry after the SMTP server accepted it sends it again, with
 * the same Message-ID derived from the probe id so receivers can recognise the copy.
 */
export function createProbeActivities({ db, mailer, workerIdentity }: ProbeDeps) {
  return {
    async runProbe(input: ProbeActivityInput): Promise<ProbeActivityResult> {
      const context = Context.current();
      for (let waited = 0; waited < input.holdMs; waited += 200) {
        context.heartbeat();
        await context.sleep(Math.min(200, input.holdMs - waited));
      }
      const messageId = messageIdOf(['probe', input.probeId], 'billing.local');
      const row = await recordProbeOnce(db, {
        probe_id: input.probeId,
        worker_identity: workerIdentity,
        activity_attempt: context.info.attempt,
        email_message_id: messageId,
      });
      await mailer.send({
        to: input.recipient,
        subject: `Billing probe ${input.probeId}`,
        text: `Probe ${input.probeId} ran on worker ${row.worker_identity} (row ${row.id}).\n`,
        messageId,
      });
      return {
        probeId: row.probe_id,
        rowId: row.id.toString(),
        workerIdentity: row.worker_identity,
        activityAttempt: row.activity_attempt,
        emailMessageId: row.email_message_id,
      };
    },
  };
}
