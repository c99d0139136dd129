import { readdirSync } from 'node:fs';
import { Migrator, NO_MIGRATIONS, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, migrationStatus } from '../../../db/migrate.js';
import { migrations } from '../../../db/migrations/index.js';
import { useTestDatabase } from '../../harness/stack.js';

describe('migrations', () => {
  const database = useTestDatabase('migrations', { migrate: false });

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

  it('keeps API keys to existing accounts, and drops them with their account', async () => {
    const key = (account: string, prefix: string) => sql`
      INSERT INTO api_keys (account_id, prefix, secret_hash, name)
      VALUES (${account}, ${prefix}, ${Buffer.alloc(32)}, 'test')`;
    await expect(key('ghost', 'aaaaaaaaaaaa').execute(database.db)).rejects.toMatchObject({
      code: '23503', // foreign_key_violation
    });
    await sql`INSERT INTO plans (id, name, definition) VALUES ('p', 'P', '{}')`.execute(
      database.db,
    );
    await sql`
      INSERT INTO accounts (id, plan_id, time_zone, created_at, grace_seconds, max_late_seconds)
      VALUES ('acme', 'p', 'UTC', now(), 0, 0)`.execute(database.db);
    await key('acme', 'bbbbbbbbbbbb').execute(database.db);
    await sql`DELETE FROM accounts WHERE id = 'acme'`.execute(database.db);
    const left = await sql<{ n: string }>`SELECT count(*)::text AS n FROM api_keys`.execute(
      database.db,
    );
    expect(left.rows[0]?.n).toBe('0');
  });
});
