import { describe, expect, it } from 'vitest';
import {
  apiKeyMatches,
  apiKeyPrefix,
  bearerToken,
  generateApiKey,
  hashApiKey,
} from '../../edge/api-key.js';

describe('API keys', () => {
  it('are random, carry their lookup prefix, and match only their own hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^vck_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(apiKeyPrefix(a.key)).toBe(a.prefix);
    expect(a.secretHash).toEqual(hashApiKey(a.key));
    expect(a.secretHash).toHaveLength(32);
    expect(a.secretHash.toString('hex')).not.toContain(a.key.slice(17));
    expect(apiKeyMatches(a.key, a.secretHash)).toBe(true);
    expect(apiKeyMatches(b.key, a.secretHash)).toBe(false);
    // One character changed in the secret.
    const last = a.key.at(-1) === 'A' ? 'B' : 'A';
    expect(apiKeyMatches(a.key.slice(0, -1) + last, a.secretHash)).toBe(false);
    expect(apiKeyMatches(a.key, Buffer.alloc(0))).toBe(false);
  });

  it('have no prefix unless well formed', () => {
    const { key } = generateApiKey();
    for (const bad of [
      '',
      'vck_',
      key.slice(0, -1),
      `${key}x`,
      key.replace('vck_', 'vk_'),
      key.toUpperCase(),
    ]) {
      expect(apiKeyPrefix(bad)).toBeUndefined();
    }
  });

  it('come from a Bearer authorization header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Basic YWxhZGRpbjpvcGVuc2VzYW1l')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });
});
