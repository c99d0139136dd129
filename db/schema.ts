/**
 * The database as Kysely sees it: one interface per table, written by hand to match db/migrations/.
 * Code outside this file uses the Selectable/Insertable aliases, never the table interfaces.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface Database {
  probes: ProbesTable;
  demo_call_deliveries: DemoCallDeliveriesTable;
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

/** Every call-event delivery of a demo run, as sent (see the migration). */
export interface DemoCallDeliveriesTable {
  id: Generated<bigint>;
  run_id: string;
  account_id: string;
  /** Position in the sender's delivery order; with run and account, the idempotency key. */
  delivery_seq: number;
  arrived_at: Date;
  /** The event JSON as delivered: written as JSON text, read back parsed. */
  event: ColumnType<unknown, string, string>;
  stored_at: Generated<Date>;
}

export type DemoCallDelivery = Selectable<DemoCallDeliveriesTable>;
export type NewDemoCallDelivery = Insertable<DemoCallDeliveriesTable>;
