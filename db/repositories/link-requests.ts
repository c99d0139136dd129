/**
 * The per-address limit of link emails sent on request: at most `limit` in any `windowMs`,
 * sliding, for every edge process at once (the table is shared; the check and the insert hold a
 * transaction-scoped advisory lock on the address, so two edges cannot both take the last send).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface LinkRequestLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Records a send to `addressHash` at `at` when fewer than `limit` were recorded in the window
 * before it, and says whether it did. Rows older than the window (of any address) are deleted on
 * the way, so the table holds at most `limit` rows per address that asked within the window.
 */
export async function takeLinkRequest(
  db: Kysely<Database>,
  addressHash: string,
  at: Date,
  { limit, windowMs }: LinkRequestLimit,
): Promise<boolean> {
  const since = new Date(at.getTime() - windowMs);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`link-request:${addressHash}`}, 0))`.execute(
      trx,
    );
    await trx.deleteFrom('link_requests').where('requested_at', '<=', since).execute();
    const { recent } = await trx
      .selectFrom('link_requests')
      .select((eb) => eb.fn.countAll<string>().as('recent'))
      .where('address_hash', '=', addressHash)
      .where('requested_at', '>', since)
      .executeTakeFirstOrThrow();
    if (Number(recent) >= limit) return false;
    await trx
      .insertInto('link_requests')
      .values({ address_hash: addressHash, requested_at: at })
      .execute();
    return true;
  });
}
