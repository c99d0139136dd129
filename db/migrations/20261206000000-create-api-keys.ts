// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

/**
 * API keys of the HTTP edge, one account each. Only a SHA-256 hash of the whole key is kept; the
 * `prefix` is a random, non-secret part of the key by which a presented key finds its row. A
 * revoked key keeps its row (ops see what existed and when it stopped working).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'bigint', (col) => col.generatedAlwaysAsIdentity().primaryKey())
    // A key belongs to its account: it goes with it (accounts are not deleted today; if one is,
    // its keys must not outlive it and authenticate requests for an account that does not exist).
    .addColumn('account_id', 'text', (col) =>
      col.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('prefix', 'text', (col) => col.notNull().unique())
    // 32 bytes: SHA-256 of the whole key as presented.
    .addColumn('secret_hash', 'bytea', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addCheckConstraint('api_keys_hash_length', sql`octet_length(secret_hash) = 32`)
    .execute();
  await db.schema.createIndex('api_keys_account').on('api_keys').column('account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_keys').execute();
}
