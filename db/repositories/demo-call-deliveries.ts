import type { Kysely, Transaction } from 'kysely';
import type { Database, DemoCallDelivery, NewDemoCallDelivery } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Stores deliveries, skipping any (run, account, seq) already stored, so a retried activity adds
 * nothing twice. Returns how many rows this call inserted.
 */
export async function storeDeliveries(
  db: Db,
  deliveries: readonly NewDemoCallDelivery[],
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const result = await db
    .insertInto('demo_call_deliveries')
    .values([...deliveries])
    .onConflict((oc) => oc.columns(['run_id', 'account_id', 'delivery_seq']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/** One account's deliveries of a run, in delivery order. */
export function deliveriesOf(
  db: Db,
  runId: string,
  accountId: string,
): Promise<DemoCallDelivery[]> {
  return db
    .selectFrom('demo_call_deliveries')
    .selectAll()
    .where('run_id', '=', runId)
    .where('account_id', '=', accountId)
    .orderBy('delivery_seq')
    .execute();
}
