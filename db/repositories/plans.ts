import type { Kysely, Transaction } from 'kysely';
import type { Database, PlanRow } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Stores a plan once. Plans are immutable (statements name them): the first definition stands,
 * and the caller compares what it gets back with what it sent.
 */
export async function insertPlanOnce(
  db: Db,
  plan: { id: string; name: string; definition: unknown },
): Promise<PlanRow> {
  await db
    .insertInto('plans')
    .values({ id: plan.id, name: plan.name, definition: JSON.stringify(plan.definition) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return db.selectFrom('plans').selectAll().where('id', '=', plan.id).executeTakeFirstOrThrow();
}

export async function findPlan(db: Db, id: string): Promise<PlanRow | undefined> {
  return db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every plan, by id. */
export async function listPlans(db: Db): Promise<PlanRow[]> {
  return db.selectFrom('plans').selectAll().orderBy('id').execute();
}
