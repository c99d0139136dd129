import type { Kysely } from 'kysely';
import { findApiKeyByPrefix } from '../db/repositories/api-keys.js';
import type { ApiKeyRow, Database } from '../db/schema.js';
import { apiKeyMatches, apiKeyPrefix, bearerToken } from './api-key.js';
import type { UnknownKeyPrefixes } from './unknown-key-prefixes.js';

export type Authentication = { ok: true; row: ApiKeyRow } | { ok: false; message: string };

/**
 * The API key of an `Authorization` header, if it is a live one. The messages never say whether a
 * key with that prefix exists: a wrong key, an unknown one and a revoked one read the same. A
 * prefix the database did not know is remembered in `unknown`, and refused without a query.
 */
export async function authenticate(
  db: Kysely<Database>,
  authorization: string | undefined,
  unknown: UnknownKeyPrefixes,
): Promise<Authentication> {
  const key = bearerToken(authorization);
  if (key === undefined) {
    return { ok: false, message: 'send the API key as "Authorization: Bearer <key>"' };
  }
  const prefix = apiKeyPrefix(key);
  const row =
    prefix === undefined || unknown.has(prefix) ? undefined : await findApiKeyByPrefix(db, prefix);
  if (row === undefined && prefix !== undefined) unknown.add(prefix);
  if (row === undefined || row.revoked_at !== null || !apiKeyMatches(key, row.secret_hash)) {
    return { ok: false, message: 'the API key is not valid (wrong, or revoked)' };
  }
  return { ok: true, row };
}
