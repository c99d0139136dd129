/**
 * The database as Kysely sees it: one interface per table, written by hand to match db/migrations/.
 * Code outside this file uses the Selectable/Insertable aliases, never the table interfaces.
 */
import type { Generated, Insertable, Selectable } from 'kysely';

export interface Database {
  probes: ProbesTable;
}

/**
 * One row per end-to-end probe (`billing doctor`, the test harness): proof that a workflow's
 * activity reached this database. `probe_id` is the idempotency key: a retried activity finds the
 * row its first attempt wrote.
 */
export interface ProbesTable {
  id: Generated<bigint>;
  probe_id: string;
  /** The worker process that ran the activity attempt which wrote the row. */
  worker_identity: string;
  activity_attempt: number;
  email_message_id: string;
  created_at: Generated<Date>;
}

export type Probe = Selectable<ProbesTable>;
export type NewProbe = Insertable<ProbesTable>;
