import { sql, type Kysely, type Transaction } from 'kysely';
import type { AccountRow, Database, NewAccountRow } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Inserts an account once; the first row stands and is returned either way. */
export async function insertAccountOnce(db: Db, account: NewAccountRow): Promise<AccountRow> {
  await db
    .insertInto('accounts')
    .values(account)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', account.id)
    .executeTakeFirstOrThrow();
}

export async function findAccount(db: Db, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Replaces an account's billing emails; undefined when no account has this id. */
export async function updateBillingEmails(
  db: Db,
  id: string,
  emails: string[],
): Promise<AccountRow | undefined> {
  return db
    .updateTable('accounts')
    .set({ billing_emails: emails })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Ids of the accounts that list `email` among their billing contacts, ascending. The domain is
 * compared without case (as stored, see client/contacts.ts); the name part exactly.
 */
export async function findAccountIdsByBillingEmail(db: Db, email: string): Promise<string[]> {
  const rows = await db
    .selectFrom('accounts')
    .select('id')
    .where(sql<boolean>`${email} = any(billing_emails)`)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Accounts by id, optionally only those whose current plan row says `planId`; at most `limit`. */
export async function listAccounts(
  db: Db,
  options: { planId?: string; ids?: readonly string[]; limit?: number } = {},
): Promise<AccountRow[]> {
  let query = db
    .selectFrom('accounts')
    .selectAll()
    .orderBy('id')
    .limit(options.limit ?? 1000);
  if (options.planId !== undefined) query = query.where('plan_id', '=', options.planId);
  if (options.ids !== undefined) {
    if (options.ids.length === 0) return [];
    query = query.where('id', 'in', [...options.ids]);
  }
  return query.execute();
}
