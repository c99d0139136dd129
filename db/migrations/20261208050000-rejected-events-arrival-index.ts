// Frozen: never edit a migration that has run anywhere; add a new one instead.
import { type Kysely, sql } from 'kysely';

/**
 * The retention of refused events' raw text clears it by arrival time; this index keeps that
 * periodic update from reading the whole table. Partial: rows already cleared are not indexed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('rejected_events_raw_arrived_at')
    .on('rejected_events')
    .column('arrived_at')
    .where(sql.ref('raw'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rejected_events_raw_arrived_at').execute();
}
