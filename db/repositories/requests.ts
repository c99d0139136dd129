/**
 * Account requests (purchases, cancels, plan changes, payment retries) by their client-chosen id:
 * the primary key makes a replayed id find the first request and its result.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AccountRequestRow, Database } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface RequestKey {
  readonly accountId: string;
  readonly kind: string;
  readonly requestId: string;
}

/** Inserts the claim unless the id is taken; returns the row that stands (ours or the first). */
export async function claimRequest(
  db: Db,
  key: RequestKey,
  claimToken: string,
  request: unknown,
  arrivedAt: Date,
): Promise<AccountRequestRow> {
  await db
    .insertInto('account_requests')
    .values({
      account_id: key.accountId,
      kind: key.kind,
      request_id: key.requestId,
      claim_token: claimToken,
      request: JSON.stringify(request),
      arrived_at: arrivedAt,
      result: null,
    })
    .onConflict((oc) => oc.columns(['account_id', 'kind', 'request_id']).doNothing())
    .execute();
  const row = await findRequest(db, key);
  if (row === undefined) throw new Error(`request ${key.kind} ${key.requestId} vanished`);
  return row;
}

/** Stores the result of a claimed request; only the claimer's token may write it, once. */
export async function completeRequest(
  db: Db,
  key: RequestKey,
  claimToken: string,
  result: unknown,
): Promise<void> {
  await db
    .updateTable('account_requests')
    .set({ result: JSON.stringify(result) })
    .where('account_id', '=', key.accountId)
    .where('kind', '=', key.kind)
    .where('request_id', '=', key.requestId)
    .where('claim_token', '=', claimToken)
    .where('result', 'is', null)
    .execute();
}

export async function listRequests(db: Db, accountId: string): Promise<AccountRequestRow[]> {
  return db
    .selectFrom('account_requests')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('recorded_at')
    .execute();
}

/** One request by its key, or undefined when the id was never used for this account and kind. */
export async function findRequest(db: Db, key: RequestKey): Promise<AccountRequestRow | undefined> {
  return db
    .selectFrom('account_requests')
    .selectAll()
    .where('account_id', '=', key.accountId)
    .where('kind', '=', key.kind)
    .where('request_id', '=', key.requestId)
    .executeTakeFirst();
}
