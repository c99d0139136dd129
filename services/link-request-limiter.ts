/**
 * At most `limit` link emails per address in any `windowMs`: a form anyone can post must not make
 * us flood a mailbox. The count lives in PostgreSQL (db/repositories/link-requests.ts), so it
 * holds across edge restarts and edge processes, and no number of other addresses evicts one.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { takeLinkRequest, type LinkRequestLimit } from '../db/repositories/link-requests.js';
import type { Database } from '../db/schema.js';

export class LinkRequestLimiter {
  private readonly bound: LinkRequestLimit;

  constructor(
    private readonly db: Kysely<Database>,
    limit = 3,
    windowMs = 60 * 60_000,
  ) {
    this.bound = { limit, windowMs };
  }

  /** Records a send to `address` at `now` (epoch ms) and says whether it is allowed. */
  async allow(address: string, now: number): Promise<boolean> {
    // Stored as a hash: the limit must recognise an address, not keep a list of them.
    const hash = createHash('sha256').update(address.toLowerCase()).digest('hex');
    return takeLinkRequest(this.db, hash, new Date(now), this.bound);
  }
}
