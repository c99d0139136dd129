import { readdirSync } from 'node:fs';
import { Migrator, NO_MIGRATIONS, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationStatus } from '../../../db/migrate.js';
import { migrations } from '../../../db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../../harness/database.js';

describe('migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('migrations', { migrate: false });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('lists every migration file, in the order of their timestamp names', () => {
    const files = readdirSync(new URL('../../../db/migrations/', import.meta.url))
      .filter((f) => f !== 'index.ts' && f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
    for (const name of files) expect(name).toMatch(/^\d{14}-[a-z0-9-]+$/);
  });

  it('reports pending migrations on an empty database, applies them once, then reports current', async () => {
    const names = Object.keys(migrations);
    expect(await migrationStatus(database.db)).toEqual({ applied: [], pending: names });
    expect(await migrateToLatest(database.db)).toEqual(names);
    expect(await migrateToLatest(database.db)).toEqual([]);
    expect(await migrationStatus(database.db)).toEqual({ applied: names, pending: [] });
  });

  it('migrates all the way down and up again', async () => {
    const migrator = new Migrator({
      db: database.db,
      provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
    });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    const tables = await sql<{ n: string }>`
      SELECT count(*)::text AS n FROM information_schema.tables WHERE table_name = 'probes'`.execute(
      database.db,
    );
    expect(tables.rows[0]?.n).toBe('0');
    expect(await migrateToLatest(database.db)).toEqual(Object.keys(migrations));
  });
});
