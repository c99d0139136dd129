/**
 * API key prefixes the database did not know, remembered for a while so a sender repeating a
 * wrong key is refused without a query. Bounded (least recently seen dropped first) and short-lived:
 * a key created since (another process, the CLI) is found once its prefix is forgotten.
 */
import { LruMap } from 'toad-cache';

/** How long a prefix stays known as unknown. */
const TTL_MS = 60_000;

export class UnknownKeyPrefixes {
  private readonly seen: LruMap<true> | null;

  constructor(maxEntries: number) {
    this.seen = maxEntries > 0 ? new LruMap<true>(maxEntries, TTL_MS) : null;
  }

  has(prefix: string): boolean {
    return this.seen?.get(prefix) === true;
  }

  add(prefix: string): void {
    this.seen?.set(prefix, true);
  }
}
