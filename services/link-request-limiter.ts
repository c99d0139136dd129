/**
 * At most `limit` link emails per address in any `windowMs`: a form anyone can post must not make
 * us flood a mailbox. Kept in memory (per edge process); the bound per address is what matters.
 */
export class LinkRequestLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly limit = 3,
    private readonly windowMs = 60 * 60_000,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Records a send to `address` at `now` and says whether it is allowed. */
  allow(address: string, now: number): boolean {
    const key = address.toLowerCase();
    const recent = (this.sent.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.sent.set(key, recent);
      return false;
    }
    recent.push(now);
    this.sent.delete(key);
    this.sent.set(key, recent);
    // Oldest-first eviction keeps memory bounded under a flood of distinct addresses.
    while (this.sent.size > this.maxAddresses) {
      const oldest = this.sent.keys().next().value;
      if (oldest === undefined) break;
      this.sent.delete(oldest);
    }
    return true;
  }
}
