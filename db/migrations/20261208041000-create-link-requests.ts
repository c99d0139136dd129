// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

/**
 * Link emails sent on request ("email me a new link"), for the per-address limit. Kept in the
 * database rather than in each edge process, so the limit holds across restarts and across
 * edges, and no flood of addresses can evict an address from it. The address is stored as a
 * hash: the limit needs to recognise it, not read it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('link_requests')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('address_hash', 'text', (col) => col.notNull())
    .addColumn('requested_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('link_requests_address')
    .on('link_requests')
    .columns(['address_hash', 'requested_at'])
    .execute();
  // Old rows are deleted by time across all addresses.
  await db.schema
    .createIndex('link_requests_requested_at')
    .on('link_requests')
    .column('requested_at')
    .execute();
  await sql`comment on table link_requests is 'link emails sent on request, for the per-address limit'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('link_requests').execute();
}
