/**
 * The `usage` query's reply as a zod schema: the same contract as {@link UsageReply} (a type test
 * checks the two are equal) and as docs/schemas/usage-reply.schema.json (a fixture test checks
 * zod and the JSON Schema judge every fixture alike). For code that receives a reply as JSON from
 * outside the SDK (an HTTP edge, a cache, another service) and wants it checked, not trusted.
 * Closed objects: a field the engine does not send is refused, so a change of the reply shows.
 */
import { z } from 'zod';
import { parseInstant } from '../../billing/units.js';
import { REQUEST_ID_RE, type UsageReply } from './messages.js';

/** An instant as replies write it: UTC with milliseconds, a real date and time. */
const UTC_MS_RE =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z$/;
const instant = z
  .string()
  .regex(UTC_MS_RE, 'an instant is UTC with milliseconds, as 2026-02-28T23:45:00.000Z')
  .refine((text) => parseInstant(text) !== undefined, 'not a real date and time');

/** A non-negative integer as a decimal string: millicredits or minor units. */
const amount = z.string().regex(/^(0|[1-9][0-9]*)$/, 'an amount is a decimal string of an integer');
const count = z.int().min(0);
const date = z.iso.date();
const planId = z.string().min(1);
const currency = z.string().regex(/^[A-Z]{3}$/, 'a currency is an ISO 4217 code');

const alerts = z.array(z.strictObject({ thresholdPercent: z.int().min(1).max(1000), at: instant }));

const openCycle = z.strictObject({
  index: count,
  start: instant,
  end: instant,
  daysUntilReset: count,
  planId,
  allowanceMillicredits: amount,
  purchasedMillicredits: amount,
  availableMillicredits: amount,
  usedMillicredits: amount,
  remainingMillicredits: amount,
  overageMillicredits: amount,
  percentUsed: count.nullable(),
  billableSeconds: count,
  lateAdjustments: count,
  alerts,
  currency,
  overagePriceMicros: amount,
  overageChargeMinor: amount,
});

const statementShape = {
  index: count,
  start: instant,
  end: instant,
  closed: z.boolean(),
  planId,
  currency,
  allowanceMillicredits: amount,
  purchasedMillicredits: amount,
  availableMillicredits: amount,
  usedMillicredits: amount,
  billableSeconds: count,
  lateAdjustments: count,
  overageMillicredits: amount,
  overageChargeMinor: amount.nullable(),
  alerts,
};

const invoice = z
  .strictObject({
    cycleIndex: count,
    cycleStart: instant,
    status: z.enum(['no_charge', 'due', 'paid', 'payment_failed']),
    amountMinor: amount,
    currency,
    attempt: count,
    reference: z.string().nullable(),
    error: z.string().nullable(),
  })
  .readonly();

const insights = z.strictObject({
  asOf: instant,
  timeZone: z.string().min(1),
  daily: z.array(z.strictObject({ date, millicredits: amount })),
  averageDailyMillicredits: amount,
  peakDays: z
    .array(
      z.strictObject({
        date,
        weekday: z.enum(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']),
        millicredits: amount,
      }),
    )
    .max(3),
  trend: z.strictObject({
    direction: z.enum(['up', 'down', 'flat', 'unknown']),
    last7DaysMillicredits: amount,
    previous7DaysMillicredits: amount,
    changePercent: z.int().nullable(),
  }),
  projection: z.strictObject({
    method: z.enum(['weekday', 'linear']),
    lowMillicredits: amount,
    expectedMillicredits: amount,
    highMillicredits: amount,
    linearMillicredits: amount,
    observedDays: count,
    runsOutOn: date.nullable(),
  }),
  daysUntilReset: count,
  upgrade: z
    .strictObject({
      reason: z.enum(['consecutive-overage', 'projected-overage']),
      cycles: count,
      suggestedAllowanceMillicredits: amount,
      message: z.string(),
    })
    .nullable(),
});

export const usageReplySchema = z.strictObject({
  accountId: z.string().min(1),
  asOf: instant,
  status: z.enum(['ok', 'low', 'overage', 'payment_failed']),
  cycle: openCycle,
  inGrace: z.strictObject(statementShape).nullable(),
  closedCycles: z.array(z.strictObject({ ...statementShape, invoice: invoice.nullable() })),
  unpaidInvoices: z.array(invoice),
  pendingEvents: count,
  insights,
  recurringPurchases: z.array(
    z.strictObject({ purchaseId: z.string().regex(REQUEST_ID_RE), millicredits: amount }),
  ),
}) satisfies z.ZodType<UsageReply>;
