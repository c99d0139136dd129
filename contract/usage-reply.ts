/**
 * The `usage` query's reply: one zod schema, from which the TypeScript types are inferred and
 * docs/schemas/usage-reply.schema.json is generated (`npm run schemas`; a test checks the
 * committed file is current). Closed objects: a field the engine does not send is refused, so a
 * change of the reply shows. Code that receives a reply as JSON from outside the SDK (an HTTP
 * edge, a cache, another service) can check it with this schema instead of trusting it.
 */
import { z } from 'zod';
import { REQUEST_ID_RE } from './ids.js';
import { invoiceOutcomeSchema } from './invoice-outcome.js';
import { amount, count, currency, date, instant } from './json-values.js';

const planId = z.string().min(1).meta({ id: 'planId' });

const alerts = z
  .array(z.strictObject({ thresholdPercent: z.int().min(1).max(1000), at: instant }))
  .meta({ id: 'alerts' });

const openCycle = z
  .strictObject({
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
    percentUsed: count
      .nullable()
      .describe(
        'floor(billedUsed * 100 / available), billedUsed being used less written off; may exceed 100; null when nothing is available.',
      ),
    billableSeconds: count,
    lateAdjustments: count,
    alerts,
    currency,
    overagePriceMicros: amount.describe(
      'The overage price per credit, in micro-units of the currency.',
    ),
    overageChargeMinor: amount.describe(
      'The overage so far at that price, in minor units (rounded half up, as at the close).',
    ),
  })
  .meta({ id: 'openCycle' });

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
  overageChargeMinor: amount.nullable().describe('null until the cycle is closed.'),
  alerts,
};

const statement = z.strictObject(statementShape).meta({ id: 'statement' });

const closedCycle = z
  .strictObject({
    ...statementShape,
    invoice: invoiceOutcomeSchema
      .nullable()
      .describe('null while the close is still being invoiced and charged.'),
  })
  .meta({ id: 'closedCycle' });

const insights = z
  .strictObject({
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
      changePercent: z
        .int()
        .nullable()
        .describe('Whole percent, rounded toward zero (negative when down); null when unknown.'),
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
  })
  .meta({ id: 'insights' });

const recurringPurchase = z
  .strictObject({
    purchaseId: z.string().regex(REQUEST_ID_RE),
    millicredits: amount.describe('Credits granted at each cycle start.'),
  })
  .meta({
    id: 'recurringPurchase',
    description:
      'A recurring purchase not cancelled: the credits granted again at every cycle start.',
  });

export const usageReplySchema = z
  .strictObject({
    accountId: z.string().min(1),
    asOf: instant.describe('The workflow time the figures are as of.'),
    status: z.enum(['ok', 'low', 'overage', 'payment_failed']),
    cycle: openCycle,
    inGrace: statement
      .nullable()
      .describe(
        'The previous cycle while it is in its grace window (late calls still land there).',
      ),
    closedCycles: z
      .array(closedCycle)
      .describe('The last closed cycles, newest first, with their invoices.'),
    unpaidInvoices: z
      .array(invoiceOutcomeSchema)
      .describe('Invoices whose payment failed and was not yet retried successfully.'),
    pendingEvents: count.describe(
      'Events received and not yet recorded (they count once their batch is recorded).',
    ),
    insights: insights.describe(
      'Daily usage, average, peak days, trend, projection and an upgrade suggestion.',
    ),
    recurringPurchases: z
      .array(recurringPurchase)
      .describe(
        'Recurring purchases not cancelled, in the order bought: each is granted again at every ' +
          'cycle start until `cancelPurchase` names it.',
      ),
  })
  .meta({
    title: 'Usage reply',
    description:
      "The reply of the account workflow's usage query (docs/api.md, 'The usage query'). Closed: " +
      'it lists every field the engine sends today, so a new field is a contract change (made in ' +
      'contract/usage-reply.ts, which this schema is generated from). Amounts are decimal ' +
      'strings of non-negative integers (millicredits, or minor units of the currency); instants ' +
      'are UTC with milliseconds.',
  });

export type UsageReply = z.output<typeof usageReplySchema>;
export type ClosedCycleView = UsageReply['closedCycles'][number];
export type RecurringPurchaseView = UsageReply['recurringPurchases'][number];
