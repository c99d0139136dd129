/**
 * API keys of the HTTP edge: `vck_<prefix>_<secret>`. The prefix (12 hex characters, random) is
 * not secret: it finds the key's row. The secret is 32 random bytes (256 bits), so a plain SHA-256
 * of the whole key is enough to store (no salt or slow hash needed: nothing to brute-force), and
 * the stored hash is compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_RE = /^vck_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  /** The whole key: shown once, never stored. */
  readonly key: string;
  readonly prefix: string;
  readonly secretHash: Buffer;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function generateApiKey(): NewApiKey {
  const prefix = randomBytes(6).toString('hex');
  const key = `vck_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

/** The lookup prefix of a well-formed key, or undefined for anything else. */
export function apiKeyPrefix(key: string): string | undefined {
  return KEY_RE.exec(key)?.[1];
}

/** Whether `key` hashes to `storedHash`, in time independent of where they differ. */
export function apiKeyMatches(key: string, storedHash: Buffer): boolean {
  const hash = hashApiKey(key);
  return storedHash.length === hash.length && timingSafeEqual(hash, storedHash);
}

/** The key of an `Authorization: Bearer <key>` header; undefined when absent or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
