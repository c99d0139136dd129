import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

const INT8_OID = 20;

/**
 * pg hands int8 back as a string (a JS number would lose precision past 2^53). Money and ids are
 * int8, so parse them to bigint: exact, and a type error where a number was meant. Set per pool
 * rather than on pg's global registry, so nothing else in the process changes behaviour.
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID && format !== 'binary') return (value) => BigInt(value);
  return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
}
const types: pg.CustomTypesConfig = { getTypeParser };

export interface DbOptions {
  /** Pool size; the worker's activities share one pool. */
  readonly maxConnections?: number;
  /** How long a new connection may take before the query fails (a stopped server is reported fast). */
  readonly connectTimeoutMs?: number;
}

/** A Kysely instance over a pg pool; call `destroy()` to close it. */
export function createDb(url: string, options: DbOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    types,
  });
  // An idle client losing its server (a restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** `postgres://user@host:port/db` with any password removed, for messages and logs. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
