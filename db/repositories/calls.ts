/**
 * Calls, rejected events and ingest batches: what the account workflow's ingest activity records.
 * The unique (account, call id) key of `calls` is the deduplication authority.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { RejectedOutcome } from '../../contract/call-outcome.js';
import type { CallRow, Database, NewCallRow, RejectedEventRow } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Serialises the ingest transactions of one account (a retried attempt racing a zombie one),
 * held until the transaction ends.
 */
export async function lockAccountIngest(trx: Transaction<Database>, accountId: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${'ingest:' + accountId}))`.execute(trx);
}

/** The outcomes a batch stored when it was first recorded, if it was. */
export async function findBatchOutcomes(
  db: Db,
  accountId: string,
  batchId: string,
): Promise<unknown> {
  const row = await db
    .selectFrom('ingest_batches')
    .select('outcomes')
    .where('account_id', '=', accountId)
    .where('batch_id', '=', batchId)
    .executeTakeFirst();
  return row === undefined ? undefined : JSON.parse(row.outcomes);
}

export async function insertBatchOutcomes(
  db: Db,
  accountId: string,
  batchId: string,
  outcomes: unknown,
): Promise<void> {
  await db
    .insertInto('ingest_batches')
    .values({ account_id: accountId, batch_id: batchId, outcomes: JSON.stringify(outcomes) })
    .execute();
}

/** The stored (validated) event JSON of each of these call ids already accepted. */
export async function acceptedEvents(
  db: Db,
  accountId: string,
  callIds: readonly string[],
): Promise<Map<string, string>> {
  if (callIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('calls')
    .select(['call_id', 'event'])
    .where('account_id', '=', accountId)
    .where('call_id', 'in', [...new Set(callIds)])
    .execute();
  return new Map(rows.map((r) => [r.call_id, r.event]));
}

export async function insertCalls(db: Db, rows: readonly NewCallRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insertInto('calls')
    .values([...rows])
    .onConflict((oc) => oc.columns(['account_id', 'call_id']).doNothing())
    .returning('call_id')
    .execute();
  return inserted.length;
}

/**
 * Text PostgreSQL accepts: a rejected event's call id or account id can be anything the sender
 * wrote, including `\u0000`, which text columns refuse. The exact input stays in `raw` (JSON text,
 * where it is escaped); the columns hold a readable, bounded form.
 */
function storableText(text: string, maxLength: number): string {
  const clean = text.replaceAll(String.fromCharCode(0), '\uFFFD');
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}

/** JSON text of whatever arrived, as `raw` keeps it; `undefined` (no argument) is kept as `null`. */
export function rawEventText(event: unknown): string {
  return JSON.stringify(event) ?? 'null';
}

/**
 * How much of a refused event `raw` keeps: enough for ops to see what was sent, not the up to
 * 1 MiB a request could make them store for every invalid event.
 */
export const RAW_KEPT_CHARACTERS = 4_096;

/** What `raw` and `raw_bytes` keep of an event that arrived: its text cut short, its full size. */
function rawKept(arrived: BatchRejection['arrived']): { raw: string | null; raw_bytes: number } {
  if ('tooLargeBytes' in arrived) return { raw: null, raw_bytes: arrived.tooLargeBytes };
  const text = rawEventText(arrived.event);
  return {
    raw: text.length > RAW_KEPT_CHARACTERS ? `${text.slice(0, RAW_KEPT_CHARACTERS)}…` : text,
    raw_bytes: Buffer.byteLength(text),
  };
}

/** An event refused in a batch: its outcome, its place in the batch, and what arrived. */
export interface BatchRejection extends Omit<RejectedOutcome, 'outcome'> {
  readonly position: number;
  /** Epoch ms: when the event arrived (the workflow's time for it, or the edge's clock). */
  readonly arrivedAt: number;
  /** The event, kept whole, or only its size when it is too large to keep. */
  readonly arrived: { readonly event: unknown } | { readonly tooLargeBytes: number };
}

/**
 * Records a batch's refused events where ops read every rejection, whoever refused them (the
 * edge or the ingest activity). The batch id and position are the row's key: a batch recorded
 * again adds nothing.
 */
export async function recordRejections(
  db: Db,
  batch: { readonly accountId: string; readonly batchId: string },
  rejections: readonly BatchRejection[],
): Promise<void> {
  if (rejections.length === 0) return;
  await db
    .insertInto('rejected_events')
    .values(
      rejections.map((r) => ({
        account_id: storableText(batch.accountId, 256),
        call_id: r.callId === null ? null : storableText(r.callId, 256),
        reason: r.reason,
        detail: storableText(r.detail, 2000),
        ...rawKept(r.arrived),
        arrived_at: new Date(r.arrivedAt),
        batch_id: batch.batchId,
        position: r.position,
      })),
    )
    .onConflict((oc) => oc.columns(['account_id', 'batch_id', 'position']).doNothing())
    .execute();
}

/**
 * Clears the raw text of events refused before `before` (the retention of section "invalid
 * events" in docs/security.md); their call id, reason, arrival and size stay on record. Returns
 * how many were cleared.
 */
export async function forgetRejectedRaw(db: Db, before: Date): Promise<number> {
  const result = await db
    .updateTable('rejected_events')
    .set({ raw: null })
    .where('arrived_at', '<', before)
    .where('raw', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function listCalls(db: Db, accountId: string, limit = 1000): Promise<CallRow[]> {
  return db
    .selectFrom('calls')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('arrived_at')
    .orderBy('call_id')
    .limit(limit)
    .execute();
}

export async function countCalls(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('calls')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listRejections(
  db: Db,
  accountId: string,
  limit = 1000,
): Promise<RejectedEventRow[]> {
  return db
    .selectFrom('rejected_events')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function countRejections(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('rejected_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Stored JSON text as jsonb. An accepted call's free-text fields may hold `\u0000` (a valid string
 * under the rules, kept exactly in the text columns), which jsonb (and json's operators) refuse:
 * the escape is read as U+FFFD here, so one such call never breaks a query of its account. Only
 * for reading fields other than those texts (an outcome, a call id); the stored text is unchanged.
 */
function jsonbOfStored(text: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`replace(${text}, ${'\\u0000'}, ${'\\ufffd'})::jsonb`;
}

/**
 * How many events the account's ingest batches answered with each outcome, from the outcomes each
 * batch stored (the only record of a duplicate: it adds no row). Counted by PostgreSQL.
 */
export async function countOutcomes(
  db: Db,
  accountId: string,
): Promise<{ accepted: number; duplicate: number; rejected: number }> {
  const { rows } = await sql<{ outcome: string; n: string }>`
    select o.value ->> 'outcome' as outcome, count(*) as n
    from ingest_batches b, jsonb_array_elements(${jsonbOfStored(sql.ref('b.outcomes'))}) o
    where b.account_id = ${accountId}
    group by 1`.execute(db);
  const counts = { accepted: 0, duplicate: 0, rejected: 0 };
  for (const { outcome, n } of rows) {
    if (outcome in counts) counts[outcome as keyof typeof counts] = Number(n);
  }
  return counts;
}
