/** Invoices: one per account and cycle (the primary key), holding the one successful charge. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, InvoiceRow, NewInvoiceRow } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Inserts the cycle's invoice unless it exists; returns the row that stands. */
export async function insertInvoiceOnce(db: Db, invoice: NewInvoiceRow): Promise<InvoiceRow> {
  await db
    .insertInto('invoices')
    .values(invoice)
    .onConflict((oc) => oc.columns(['account_id', 'cycle_start']).doNothing())
    .execute();
  return findInvoiceOrThrow(db, invoice.account_id, invoice.cycle_start);
}

export async function findInvoiceOrThrow(
  db: Db,
  accountId: string,
  cycleStart: Date,
): Promise<InvoiceRow> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('cycle_start', '=', cycleStart)
    .executeTakeFirstOrThrow();
}

/** Records a payment attempt's outcome. A paid invoice never changes again. */
export async function recordPaymentOutcome(
  db: Db,
  accountId: string,
  cycleStart: Date,
  outcome: {
    status: 'paid' | 'payment_failed';
    attempt: number;
    reference: string | null;
    error: string | null;
  },
): Promise<void> {
  await db
    .updateTable('invoices')
    .set({
      status: outcome.status,
      payment_attempt: outcome.attempt,
      payment_reference: outcome.reference,
      payment_error: outcome.error,
      updated_at: sql<Date>`now()`,
    })
    .where('account_id', '=', accountId)
    .where('cycle_start', '=', cycleStart)
    .where('status', '!=', 'paid')
    .execute();
}

export async function listInvoices(db: Db, accountId: string): Promise<InvoiceRow[]> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('cycle_start')
    .execute();
}
