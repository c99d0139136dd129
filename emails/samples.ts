/**
 * Sample content for every email kind: what `billing render-emails` renders and the tests check.
 * One account (`acme-voice`, Los Angeles, USD) through November 2026, a cycle that starts on the
 * day daylight saving time ends; the failed payment is a Tokyo account billed in JPY.
 */
import type {
  DailyAmount,
  NotificationContent,
  NotificationKind,
  UsageFigures,
} from '../billing/notification-content.js';
import type { EmailContext } from './email.js';

export interface EmailSample {
  kind: NotificationKind;
  content: NotificationContent;
  context: EmailContext;
}

export const sampleContext: EmailContext = {
  accountId: 'acme-voice',
  timeZone: 'America/Los_Angeles',
  billingUrl: 'https://billing.example.com/accounts/acme-voice?expires=1796716800&sig=Yf3kQ9x2',
  billingUrlExpiresAt: '2026-12-08T08:00:00.000Z',
};

const tokyoContext: EmailContext = {
  accountId: 'sakura-clinic',
  timeZone: 'Asia/Tokyo',
  billingUrl: 'https://billing.example.com/accounts/sakura-clinic?expires=1797008400&sig=b7Tz0pL4',
  billingUrlExpiresAt: '2026-12-10T15:00:00.000Z',
};

/** November 2026 in Los Angeles: Nov 1 00:00 PDT to Dec 1 00:00 PST. */
const cycle = { cycleStart: '2026-11-01T07:00:00.000Z', cycleEnd: '2026-12-01T08:00:00.000Z' };

const plan = { planId: 'growth', currency: 'USD', overagePriceMicros: '120000' };

/** The open cycle's figures, from credits (as decimal strings of millicredits). */
function usage(
  figures: Pick<
    UsageFigures,
    | 'daysUntilReset'
    | 'purchasedMillicredits'
    | 'availableMillicredits'
    | 'usedMillicredits'
    | 'remainingMillicredits'
    | 'overageMillicredits'
    | 'percentUsed'
  >,
): UsageFigures {
  return { ...cycle, resetOn: '2026-12-01', allowanceMillicredits: '1000000', ...plan, ...figures };
}

/** Credits used each day of November (Nov 1 is a Sunday). */
const dailyCredits = [
  12.5, 58, 62.5, 55, 60, 48.5, 20, 0, 64, 52, 49.5, 57, 45, 18, 0, 61, 66.5, 58, 66, 61, 15.5, 0,
  76, 88, 74, 8, 41, 10, 0, 71,
];

export const sampleDaily: DailyAmount[] = dailyCredits.map((credits, i) => ({
  date: `2026-11-${String(i + 1).padStart(2, '0')}`,
  millicredits: String(Math.round(credits * 1000)),
}));

export const emailSamples: readonly EmailSample[] = [
  {
    kind: 'threshold',
    context: sampleContext,
    content: {
      kind: 'threshold',
      thresholdPercent: 80,
      at: '2026-11-19T22:30:00.000Z',
      usage: usage({
        daysUntilReset: 12,
        purchasedMillicredits: '0',
        availableMillicredits: '1000000',
        usedMillicredits: '800000',
        remainingMillicredits: '200000',
        overageMillicredits: '0',
        percentUsed: 80,
      }),
    },
  },
  {
    kind: 'exhausted',
    context: sampleContext,
    content: {
      kind: 'exhausted',
      at: '2026-11-24T18:12:00.000Z',
      usage: usage({
        daysUntilReset: 7,
        purchasedMillicredits: '0',
        availableMillicredits: '1000000',
        usedMillicredits: '1012500',
        remainingMillicredits: '0',
        overageMillicredits: '12500',
        percentUsed: 101,
      }),
    },
  },
  {
    kind: 'projection',
    context: sampleContext,
    content: {
      kind: 'projection',
      at: '2026-11-10T17:30:00.000Z',
      usage: usage({
        daysUntilReset: 21,
        purchasedMillicredits: '0',
        availableMillicredits: '1000000',
        usedMillicredits: '412500',
        remainingMillicredits: '587500',
        overageMillicredits: '0',
        percentUsed: 41,
      }),
      projection: {
        lowMillicredits: '1210000',
        expectedMillicredits: '1357500',
        highMillicredits: '1505000',
        runsOutOn: '2026-11-23',
        averageDailyMillicredits: '45000',
      },
    },
  },
  {
    kind: 'statement',
    context: sampleContext,
    content: {
      kind: 'statement',
      statement: {
        index: 7,
        start: cycle.cycleStart,
        end: cycle.cycleEnd,
        ...plan,
        allowanceMillicredits: '1000000',
        purchasedMillicredits: '250000',
        availableMillicredits: '1250000',
        usedMillicredits: '1298000',
        billableSeconds: 77_880,
        lateAdjustments: 2,
        overageMillicredits: '48000',
        overageChargeMinor: '576',
      },
      purchases: [{ purchaseId: 'pack-2026-11-24', millicredits: '250000' }],
      invoice: {
        status: 'paid',
        amountMinor: '576',
        currency: 'USD',
        reference: 'INV-2026-11-0042',
      },
      daily: sampleDaily,
    },
  },
  {
    kind: 'receipt',
    context: sampleContext,
    content: {
      kind: 'receipt',
      at: '2026-11-24T18:40:00.000Z',
      purchaseId: 'pack-2026-11-24',
      millicredits: '250000',
      recurring: false,
      usage: usage({
        daysUntilReset: 7,
        purchasedMillicredits: '250000',
        availableMillicredits: '1250000',
        usedMillicredits: '1012500',
        remainingMillicredits: '237500',
        overageMillicredits: '0',
        percentUsed: 81,
      }),
    },
  },
  {
    kind: 'payment-failed',
    context: tokyoContext,
    content: {
      kind: 'payment-failed',
      at: '2026-12-01T00:05:00.000Z',
      cycleStart: '2026-10-31T15:00:00.000Z',
      cycleEnd: '2026-11-30T15:00:00.000Z',
      amountMinor: '500',
      currency: 'JPY',
      attempt: 2,
      reason: 'card_declined: insufficient funds',
    },
  },
];

/** The sample of one kind, its content typed as that kind. */
export function sampleFor<K extends NotificationKind>(
  kind: K,
): EmailSample & { content: Extract<NotificationContent, { kind: K }> } {
  const sample = emailSamples.find((s) => s.kind === kind);
  if (sample?.content.kind !== kind) throw new Error(`no sample for ${kind}`);
  return sample as EmailSample & { content: Extract<NotificationContent, { kind: K }> };
}
