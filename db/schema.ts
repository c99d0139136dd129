/**
 * The database as Kysely sees it: one interface per table, written by hand to match db/migrations/.
 * Code outside this file uses the Selectable/Insertable aliases, never the table interfaces.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface Database {
  probes: ProbesTable;
  plans: PlansTable;
  accounts: AccountsTable;
  calls: CallsTable;
  rejected_events: RejectedEventsTable;
  ingest_batches: IngestBatchesTable;
  account_requests: AccountRequestsTable;
  invoices: InvoicesTable;
  payment_collections: PaymentCollectionsTable;
  notifications: NotificationsTable;
  api_keys: ApiKeysTable;
  link_requests: LinkRequestsTable;
}

/** A jsonb column: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

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

export interface PlansTable {
  id: string;
  name: string;
  /** The plan JSON as given (BILLING-RULES.md section 2). */
  definition: Json<unknown>;
  created_at: Generated<Date>;
}
export type PlanRow = Selectable<PlansTable>;

export interface AccountsTable {
  id: string;
  time_zone: string;
  created_at: Date;
  /** A local date-time `YYYY-MM-DDTHH:MM:SS`, or null to anchor on `created_at`. */
  billing_anchor: string | null;
  grace_seconds: number;
  max_late_seconds: number;
  plan_id: string;
  billing_emails: ColumnType<string[], string[] | undefined, string[]>;
  registered_at: Generated<Date>;
}
export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;

export interface CallsTable {
  account_id: string;
  call_id: string;
  /** The validated event as JSON text (times in epoch ms, defaults filled). */
  event: string;
  /** The event as received, JSON text. */
  raw: string;
  answered_at: Date | null;
  ended_at: Date;
  arrived_at: Date;
  batch_id: string;
  position: number;
  recorded_at: Generated<Date>;
}
export type CallRow = Selectable<CallsTable>;
export type NewCallRow = Insertable<CallsTable>;

export interface RejectedEventsTable {
  id: Generated<bigint>;
  account_id: string;
  call_id: string | null;
  reason: string;
  detail: string;
  raw: string | null;
  raw_bytes: number | null;
  arrived_at: Date;
  batch_id: string;
  position: number;
  recorded_at: Generated<Date>;
}
export type RejectedEventRow = Selectable<RejectedEventsTable>;
export type NewRejectedEventRow = Insertable<RejectedEventsTable>;

export interface IngestBatchesTable {
  account_id: string;
  batch_id: string;
  /** JSON text (an accepted call's free-text fields may hold `\u0000`, which jsonb refuses). */
  outcomes: string;
  recorded_at: Generated<Date>;
}

export interface AccountRequestsTable {
  account_id: string;
  kind: string;
  request_id: string;
  claim_token: string;
  request: Json<unknown>;
  arrived_at: Date;
  result: ColumnType<unknown, string | null, string | null>;
  recorded_at: Generated<Date>;
}
export type AccountRequestRow = Selectable<AccountRequestsTable>;

export type InvoiceStatus = 'no_charge' | 'due' | 'paid' | 'payment_failed';

export interface InvoicesTable {
  account_id: string;
  cycle_start: Date;
  cycle_end: Date;
  cycle_index: number;
  statement: Json<unknown>;
  currency: string;
  amount_minor: ColumnType<bigint, bigint | string, bigint | string>;
  status: InvoiceStatus;
  payment_attempt: Generated<number>;
  payment_reference: string | null;
  payment_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type InvoiceRow = Selectable<InvoicesTable>;
export type NewInvoiceRow = Insertable<InvoicesTable>;

export interface PaymentCollectionsTable {
  idempotency_key: string;
  account_id: string;
  cycle_start: Date;
  amount_minor: ColumnType<bigint, bigint | string, bigint | string>;
  currency: string;
  created_at: Generated<Date>;
}
export type PaymentCollectionRow = Selectable<PaymentCollectionsTable>;

/**
 * pending: not delivered yet (retrying); rejected: the SMTP server refused it for good; failed: it
 * could not be rendered (a bug: fix, then resend).
 */
export type NotificationStatus = 'pending' | 'sent' | 'no_recipients' | 'rejected' | 'failed';

export interface NotificationsTable {
  id: Generated<bigint>;
  account_id: string;
  cycle_start: Date;
  kind: string;
  key: string;
  firing: number;
  message_id: string;
  recipients: ColumnType<string[], string[], string[]>;
  content: Json<unknown>;
  status: ColumnType<NotificationStatus, NotificationStatus | undefined, NotificationStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  last_attempt_at: Date | null;
  lease_until: Date | null;
  claim_token: string | null;
  smtp_response: string | null;
  sent_at: Date | null;
  created_at: Generated<Date>;
  /** The row this one resends (`billing notifications resend`); null for the workflow's own. */
  resend_of: ColumnType<bigint | null, bigint | null | undefined, never>;
  /** The resend's idempotency key, unique per account; null for the workflow's own rows. */
  resend_request_id: ColumnType<string | null, string | null | undefined, never>;
}
export type NotificationRow = Selectable<NotificationsTable>;
export type NewNotificationRow = Insertable<NotificationsTable>;

/** An HTTP edge API key: only the SHA-256 of the whole key is kept; `prefix` finds the row. */
export interface ApiKeysTable {
  id: Generated<bigint>;
  account_id: string;
  prefix: string;
  secret_hash: Buffer;
  name: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  last_used_at: Date | null;
}
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;

/** A link email sent on request, for the per-address limit (repositories/link-requests.ts). */
export interface LinkRequestsTable {
  id: Generated<bigint>;
  /** SHA-256 (hex) of the normalized address: the limit recognises it without storing it. */
  address_hash: string;
  requested_at: Date;
}
