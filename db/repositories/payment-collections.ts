import type { Kysely, Transaction } from 'kysely';
import type { Database, PaymentCollectionRow } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** A collection to record: every column but `created_at`, which the database sets. */
export type NewPaymentCollection = Omit<PaymentCollectionRow, 'created_at'>;

/**
 * Records the amount to collect for one charge attempt, once: the idempotency key is the primary
 * key, so a retried charge (or two racing ones) cannot add a second row. Returns the stored row,
 * which is the first one written for the key, not necessarily `row`.
 */
export async function recordCollection(
  db: Db,
  row: NewPaymentCollection,
): Promise<PaymentCollectionRow> {
  await db
    .insertInto('payment_collections')
    .values(row)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
  return db
    .selectFrom('payment_collections')
    .selectAll()
    .where('idempotency_key', '=', row.idempotency_key)
    .executeTakeFirstOrThrow();
}

/** One account's collections, oldest cycle first, then in the order they were recorded. */
export function listCollections(db: Db, accountId: string): Promise<PaymentCollectionRow[]> {
  return db
    .selectFrom('payment_collections')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('cycle_start')
    .orderBy('created_at')
    .orderBy('idempotency_key')
    .execute();
}
