import { type Kysely, type MigrationResult, Migrator } from 'kysely';
import { migrations } from './migrations/index.js';

export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
}

function migrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
  });
}

/**
 * Brings the database to the latest migration. Safe to run from several workers at once: Kysely
 * takes a lock table row while it migrates. Returns the names it applied (empty when current).
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error !== undefined) {
    const cause = error instanceof Error ? error.message : JSON.stringify(error);
    const where = failed ? ` in ${failed.migrationName}` : '';
    throw new MigrationFailedError(`migration failed${where}: ${cause}`, { cause: error });
  }
  return (results ?? []).filter(applied).map((result) => result.migrationName);
}

function applied(result: MigrationResult): boolean {
  return result.status === 'Success' && result.direction === 'Up';
}

export interface MigrationStatus {
  readonly applied: string[];
  readonly pending: string[];
}

/** Which migrations the database has and which it lacks, without changing anything. */
export async function migrationStatus<DB>(db: Kysely<DB>): Promise<MigrationStatus> {
  const all = await migrator(db).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}
