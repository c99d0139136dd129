/**
 * `billing migrate [--json]` (`npm run migrate`): brings the configured database to the latest
 * schema; `--json` prints `{database, applied}`.
 */
import { createDb, describeDatabaseUrl } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { loadConfig } from '../../config/config.js';

const USAGE = 'usage: billing migrate [--json]\n';

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const json = args.includes('--json');
  if (args.some((arg) => arg !== '--json')) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig();
  const db = createDb(config.postgres.url, { maxConnections: 1 });
  try {
    const applied = await migrateToLatest(db);
    const where = describeDatabaseUrl(config.postgres.url);
    process.stdout.write(
      json
        ? `${JSON.stringify({ database: where, applied }, null, 2)}\n`
        : applied.length === 0
          ? `migrate: ${where} is current\n`
          : `migrate: applied ${applied.join(', ')} to ${where}\n`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`migrate: ${message}\n`);
    if (json) {
      process.stdout.write(`${JSON.stringify({ error: { kind: 'failed', message } }, null, 2)}\n`);
    }
    return 1;
  } finally {
    await db.destroy();
  }
}
