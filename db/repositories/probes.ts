import type { Kysely, Transaction } from 'kysely';
import type { Database, NewProbe, Probe } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records a probe once: the first attempt's row stands, a retry gets that row back. The unique
 * `probe_id` is the idempotency key, so two racing attempts cannot both insert.
 */
export async function recordProbeOnce(db: Db, probe: NewProbe): Promise<Probe> {
  await db
    .insertInto('probes')
    .values(probe)
    .onConflict((oc) => oc.column('probe_id').doNothing())
    .execute();
  return db
    .selectFrom('probes')
    .selectAll()
    .where('probe_id', '=', probe.probe_id)
    .executeTakeFirstOrThrow();
}

export async function findProbe(db: Db, probeId: string): Promise<Probe | undefined> {
  return db.selectFrom('probes').selectAll().where('probe_id', '=', probeId).executeTakeFirst();
}
