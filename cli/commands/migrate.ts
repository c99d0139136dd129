/** `billing migrate` (`npm run migrate`): brings the configured database to the latest schema. */
import { createDb, describeDatabaseUrl } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { loadConfig } from '../../workers/config.js';

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write('usage: billing migrate\n');
    return 2;
  }
  const config = loadConfig();
  const db = createDb(config.postgres.url, { maxConnections: 1 });
  try {
    const applied = await migrateToLatest(db);
    const where = describeDatabaseUrl(config.postgres.url);
    process.stdout.write(
      applied.length === 0
        ? `migrate: ${where} is current\n`
        : `migrate: applied ${applied.join(', ')} to ${where}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}
