/**
 * API keys of the HTTP edge (see edge/api-key.ts for their format). The table holds a hash of each
 * key, never the key itself.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ApiKeyRow, Database, NewApiKeyRow } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertApiKey(db: Db, key: NewApiKeyRow): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(key).returningAll().executeTakeFirstOrThrow();
}

/** The key with this prefix, revoked or not. */
export async function findApiKeyByPrefix(db: Db, prefix: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst();
}

/** An account's keys, oldest first, revoked ones included. */
export async function listApiKeys(db: Db, accountId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
}

/**
 * Revokes a key: it stops working at once. Revoking a revoked key keeps its first revocation time
 * (`revokedNow` false). Undefined when no key has this id.
 */
export async function revokeApiKey(
  db: Db,
  id: bigint,
  at: Date,
): Promise<{ row: ApiKeyRow; revokedNow: boolean } | undefined> {
  const updated = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : { row, revokedNow: updated.numUpdatedRows > 0n };
}

/** Notes that a key was used; skipped when it was noted less than `minIntervalMs` before. */
export async function touchApiKey(
  db: Db,
  id: bigint,
  at: Date,
  minIntervalMs: number,
): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', new Date(at.getTime() - minIntervalMs)),
      ]),
    )
    .execute();
}
