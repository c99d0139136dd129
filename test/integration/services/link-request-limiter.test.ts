/**
 * The per-address limit of link emails, kept in PostgreSQL: it holds across edge restarts and
 * across edge processes, and no flood of other addresses evicts an address from it.
 */
import { describe, expect, it } from 'vitest';
import { createDb } from '../../../db/connection.js';
import { LinkRequestLimiter } from '../../../services/link-request-limiter.js';
import { useTestDatabase } from '../../harness/stack.js';

const database = useTestDatabase('link-request-limiter');
const hour = 3_600_000;
let clock = Date.parse('2026-12-08T10:00:00Z');

/** A start time of its own for each test, so their rows never share a window. */
function freshHour(): number {
  clock += 10 * hour;
  return clock;
}

describe('the link-request limit in PostgreSQL', () => {
  it('allows 3 sends an hour per address, whatever its case, in a sliding window', async () => {
    const limiter = new LinkRequestLimiter(database.db, 3, hour);
    const t = freshHour();
    const results = [];
    for (const i of [0, 1, 2, 3]) results.push(await limiter.allow('A@x.example', t + i * 60_000));
    expect(results).toEqual([true, true, true, false]);
    expect(await limiter.allow('a@x.example', t + 30 * 60_000)).toBe(false);
    expect(await limiter.allow('b@x.example', t + 30 * 60_000)).toBe(true);
    // An hour after the first send, one slot is free again, and only one.
    expect(await limiter.allow('a@x.example', t + hour + 1)).toBe(true);
    expect(await limiter.allow('a@x.example', t + hour + 2)).toBe(false);
  });

  it('holds across a restart and a second edge process (another pool, another limiter)', async () => {
    const t = freshHour();
    const first = new LinkRequestLimiter(database.db, 3, hour);
    expect(await first.allow('restart@x.example', t)).toBe(true);
    expect(await first.allow('restart@x.example', t + 1)).toBe(true);
    const otherEdge = createDb(database.url);
    try {
      const second = new LinkRequestLimiter(otherEdge, 3, hour);
      expect(await second.allow('restart@x.example', t + 2)).toBe(true);
      expect(await second.allow('restart@x.example', t + 3)).toBe(false);
      expect(await first.allow('restart@x.example', t + 4)).toBe(false);
    } finally {
      await otherEdge.destroy();
    }
  });

  it('gives two edges racing for the last sends no more than the limit', async () => {
    const t = freshHour();
    const otherEdge = createDb(database.url);
    try {
      const limiters = [
        new LinkRequestLimiter(database.db, 3, hour),
        new LinkRequestLimiter(otherEdge, 3, hour),
      ];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => limiters[i % 2]!.allow('race@x.example', t + i)),
      );
      expect(results.filter(Boolean)).toHaveLength(3);
    } finally {
      await otherEdge.destroy();
    }
  });

  it('still refuses an address after 10,001 other addresses asked (nothing is evicted)', async () => {
    const t = freshHour();
    const limiter = new LinkRequestLimiter(database.db, 1, hour);
    expect(await limiter.allow('victim@x.example', t)).toBe(true);
    // The in-memory limiter this replaces forgot the oldest address beyond 10,000.
    const others = Array.from({ length: 10_001 }, (_, i) => `flood-${i}@x.example`);
    for (let i = 0; i < others.length; i += 50) {
      await Promise.all(others.slice(i, i + 50).map((address) => limiter.allow(address, t + 1)));
    }
    expect(await limiter.allow('victim@x.example', t + 2)).toBe(false);
  }, 120_000);
});
