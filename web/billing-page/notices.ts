/**
 * The notice above the billing page after a purchase or a cancel (`?purchased=<id>`,
 * `?cancelled=<id>`): read from the request's stored result, so a reload shows it again and a
 * made-up id shows nothing.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { REQUEST_ID_RE } from '../../contract/ids.js';
import { findRequest } from '../../db/repositories/requests.js';
import type { Database } from '../../db/schema.js';
import type { PageNotice } from './page.js';

const purchaseResultSchema = z.object({
  ok: z.literal(true),
  value: z.object({
    purchaseId: z.string(),
    purchasedMillicredits: z.string(),
    recurring: z.boolean(),
    cycle: z.object({ remainingMillicredits: z.string(), availableMillicredits: z.string() }),
  }),
});
const cancelResultSchema = z.object({
  ok: z.literal(true),
  value: z.object({ purchaseId: z.string(), cancelled: z.boolean() }),
});

export async function noticeOf(
  db: Kysely<Database>,
  accountId: string,
  query: Record<string, unknown>,
): Promise<PageNotice | null> {
  const purchased = query.purchased;
  if (typeof purchased === 'string' && REQUEST_ID_RE.test(purchased)) {
    const row = await findRequest(db, { accountId, kind: 'purchaseCredits', requestId: purchased });
    const parsed = purchaseResultSchema.safeParse(row?.result);
    if (parsed.success) {
      const v = parsed.data.value;
      return {
        kind: 'purchased',
        purchaseId: v.purchaseId,
        millicredits: v.purchasedMillicredits,
        recurring: v.recurring,
        remainingMillicredits: v.cycle.remainingMillicredits,
        availableMillicredits: v.cycle.availableMillicredits,
      };
    }
  }
  const cancelled = query.cancelled;
  if (typeof cancelled === 'string' && REQUEST_ID_RE.test(cancelled)) {
    const row = await findRequest(db, { accountId, kind: 'cancelPurchase', requestId: cancelled });
    const parsed = cancelResultSchema.safeParse(row?.result);
    if (parsed.success) return { kind: 'cancelled', ...parsed.data.value };
  }
  return null;
}
