/**
 * The usage reply is inferred from its zod schema; the workflow builds it from the billing core's
 * views. These type tests keep the two the same shape, so a change on either side fails to
 * compile here (and in the workflow) instead of sending a reply the schema refuses.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Insights } from '../../billing/insights.js';
import type { InvoiceOutcome as CoreInvoiceOutcome } from '../../billing/invoice.js';
import type { OpenCycleUsage, StatementView, UsageStatus } from '../../billing/usage.js';
import type { InvoiceOutcome } from '../../contract/invoice-outcome.js';
import type { ClosedCycleView, UsageReply } from '../../contract/usage-reply.js';

describe('the usage reply type', () => {
  it("is built from the billing core's views", () => {
    expectTypeOf<UsageReply['status']>().toEqualTypeOf<UsageStatus>();
    expectTypeOf<UsageReply['cycle']>().toEqualTypeOf<OpenCycleUsage>();
    expectTypeOf<UsageReply['inGrace']>().toEqualTypeOf<StatementView | null>();
    expectTypeOf<UsageReply['insights']>().toEqualTypeOf<Insights>();
    expectTypeOf<Omit<ClosedCycleView, 'invoice'>>().toEqualTypeOf<StatementView>();
    expectTypeOf<ClosedCycleView['invoice']>().toEqualTypeOf<InvoiceOutcome | null>();
    // The core decides an invoice's outcome (billing/invoice.ts); the contract states its JSON.
    expectTypeOf<CoreInvoiceOutcome>().toEqualTypeOf<InvoiceOutcome>();
  });
});
