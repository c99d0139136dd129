import { describe, expect, it } from 'vitest';
import { LinkRequestLimiter } from '../../services/link-request-limiter.js';

const now = Date.parse('2026-11-25T10:07:00Z');

describe('the per-address limit', () => {
  it('allows a few sends an hour per address, whatever its case', () => {
    const limiter = new LinkRequestLimiter(3, 3_600_000);
    expect([1, 2, 3, 4].map((i) => limiter.allow('A@x.example', now + i))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(limiter.allow('a@x.example', now + 10)).toBe(false);
    expect(limiter.allow('b@x.example', now + 10)).toBe(true);
    expect(limiter.allow('a@x.example', now + 3_600_002)).toBe(true);
  });

  it('forgets the oldest addresses beyond its bound', () => {
    const limiter = new LinkRequestLimiter(1, 3_600_000, 2);
    expect(limiter.allow('a@x.example', now)).toBe(true);
    limiter.allow('b@x.example', now);
    limiter.allow('c@x.example', now);
    expect(limiter.allow('a@x.example', now)).toBe(true);
    expect(limiter.allow('c@x.example', now)).toBe(false);
  });
});
