/**
 * `billing api-keys create <accountId> [--name n] [--json]`, `list <accountId> [--json]`,
 * `revoke <keyId> [--json]`: the HTTP edge's API keys. A key is printed once, when it is created;
 * only its hash is stored. Exit codes: 0 done, 1 failure (database unreachable), 2 bad usage or
 * input (no such account or key).
 */
import { parseArgs } from 'node:util';
import { createDb, describeDatabaseUrl } from '../../db/connection.js';
import { findAccount } from '../../db/repositories/accounts.js';
import { insertApiKey, listApiKeys, revokeApiKey } from '../../db/repositories/api-keys.js';
import type { ApiKeyRow } from '../../db/schema.js';
import { generateApiKey } from '../../edge/api-key.js';
import { loadConfig } from '../../config/config.js';

const USAGE =
  'usage: billing api-keys create <accountId> [--name <name>] [--json]\n' +
  '       billing api-keys list <accountId> [--json]\n' +
  '       billing api-keys revoke <keyId> [--json]\n';

/** A bad argument: exit code 2. */
class UsageError extends Error {}

function view(row: ApiKeyRow) {
  return {
    id: String(row.id),
    accountId: row.account_id,
    prefix: `vck_${row.prefix}_`,
    name: row.name,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

function line(row: ApiKeyRow): string {
  const v = view(row);
  const state = v.revokedAt === null ? 'active' : `revoked ${v.revokedAt}`;
  return (
    `${v.id.padStart(5)}  ${v.prefix}…  ${v.name.padEnd(20)} created ${v.createdAt}  ` +
    `last used ${v.lastUsedAt ?? 'never'}  ${state}\n`
  );
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`api-keys: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [action, target, ...rest] = positionals;
  const known = action === 'create' || action === 'list' || action === 'revoke';
  if (!known || target === undefined || rest.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (values.name !== undefined && action !== 'create') {
    process.stderr.write(`api-keys: --name is only for create\n${USAGE}`);
    return 2;
  }
  const name = values.name ?? 'default';
  if (name.trim() === '' || name.length > 100) {
    process.stderr.write('api-keys: --name is 1 to 100 characters\n');
    return 2;
  }
  if (action === 'revoke' && !/^[1-9][0-9]{0,17}$/.test(target)) {
    process.stderr.write(
      `api-keys: a key id is a positive integer (see \`api-keys list\`), not '${target}'\n`,
    );
    return 2;
  }

  const config = loadConfig();
  const db = createDb(config.postgres.url, { maxConnections: 1, connectTimeoutMs: 3_000 });
  const out = (text: string, json: unknown) =>
    process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : text);
  try {
    // A mistyped account is told so, not listed as an account without keys.
    if (action !== 'revoke' && (await findAccount(db, target)) === undefined) {
      throw new UsageError(`no account has id '${target}'`);
    }
    if (action === 'create') {
      const key = generateApiKey();
      const row = await insertApiKey(db, {
        account_id: target,
        prefix: key.prefix,
        secret_hash: key.secretHash,
        name,
        revoked_at: null,
        last_used_at: null,
      });
      out(
        `created API key ${row.id} ('${row.name}') for account ${row.account_id}:\n\n` +
          `  ${key.key}\n\nStore it now: it is shown only this once (only its hash is kept).\n`,
        { ...view(row), key: key.key },
      );
    } else if (action === 'list') {
      const rows = await listApiKeys(db, target);
      out(
        rows.length === 0 ? `no API keys for account ${target}\n` : rows.map(line).join(''),
        rows.map(view),
      );
    } else {
      const revoked = await revokeApiKey(db, BigInt(target), new Date());
      if (revoked === undefined) throw new UsageError(`no API key has id ${target}`);
      const { row } = revoked;
      out(
        !revoked.revokedNow
          ? `API key ${row.id} was already revoked at ${row.revoked_at?.toISOString()}\n`
          : `revoked API key ${row.id} of account ${row.account_id}: it stops working now\n`,
        view(row),
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`api-keys: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `api-keys: ${message} (database ${describeDatabaseUrl(config.postgres.url)}, DATABASE_URL)\n`,
    );
    return 1;
  } finally {
    await db.destroy();
  }
}
