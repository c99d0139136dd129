/**
 * A `usage` reply for rendering tests: account `acme <eu>` (a name that needs escaping) in Los
 * Angeles, 12 days into November 2026, 1,000 credits allowed plus 250 bought (200 of them a
 * recurring purchase), 1,300 used: 50 credits of overage; one closed cycle with its paid invoice.
 */
import type { UsageReply } from '../../../contract/usage-reply.js';

const dailyCredits = [100, 120, 80, 0, 150, 130, 90, 110, 140, 120, 160, 100];

export function sampleUsage(overrides: Partial<UsageReply> = {}): UsageReply {
  const daily = dailyCredits.map((credits, i) => ({
    date: `2026-11-${String(i + 1).padStart(2, '0')}`,
    millicredits: String(credits * 1000),
  }));
  return {
    accountId: 'acme <eu>',
    asOf: '2026-11-12T20:00:00.000Z',
    status: 'overage',
    cycle: {
      index: 3,
      start: '2026-11-01T07:00:00.000Z',
      end: '2026-12-01T08:00:00.000Z',
      daysUntilReset: 19,
      planId: 'growth',
      allowanceMillicredits: '1000000',
      purchasedMillicredits: '250000',
      availableMillicredits: '1250000',
      usedMillicredits: '1300000',
      remainingMillicredits: '0',
      overageMillicredits: '50000',
      percentUsed: 104,
      billableSeconds: 78_000,
      lateAdjustments: 0,
      alerts: [],
      currency: 'USD',
      overagePriceMicros: '120000',
      overageChargeMinor: '600',
    },
    inGrace: null,
    closedCycles: [
      {
        index: 2,
        start: '2026-10-01T07:00:00.000Z',
        end: '2026-11-01T07:00:00.000Z',
        closed: true,
        planId: 'growth',
        currency: 'USD',
        allowanceMillicredits: '1000000',
        purchasedMillicredits: '0',
        availableMillicredits: '1000000',
        usedMillicredits: '1048000',
        billableSeconds: 62_880,
        lateAdjustments: 0,
        overageMillicredits: '48000',
        overageChargeMinor: '576',
        alerts: [],
        invoice: {
          cycleIndex: 2,
          cycleStart: '2026-10-01T07:00:00.000Z',
          status: 'paid',
          amountMinor: '576',
          currency: 'USD',
          attempt: 1,
          reference: 'collect:acme:1',
          error: null,
        },
      },
    ],
    unpaidInvoices: [],
    pendingEvents: 0,
    insights: {
      asOf: '2026-11-12T20:00:00.000Z',
      timeZone: 'America/Los_Angeles',
      daily,
      averageDailyMillicredits: '108333',
      peakDays: [
        { date: '2026-11-11', weekday: 'Wed', millicredits: '160000' },
        { date: '2026-11-05', weekday: 'Thu', millicredits: '150000' },
        { date: '2026-11-09', weekday: 'Mon', millicredits: '140000' },
      ],
      trend: {
        direction: 'up',
        last7DaysMillicredits: '850000',
        previous7DaysMillicredits: '700000',
        changePercent: 21,
      },
      projection: {
        method: 'weekday',
        lowMillicredits: '2900000',
        expectedMillicredits: '3250000',
        highMillicredits: '3600000',
        linearMillicredits: '3250000',
        observedDays: 11,
        runsOutOn: null,
      },
      daysUntilReset: 19,
      upgrade: {
        reason: 'consecutive-overage',
        cycles: 2,
        suggestedAllowanceMillicredits: '3500000',
        message: 'Your usage was above your allowance in each of the last 2 cycles.',
      },
    },
    recurringPurchases: [{ purchaseId: 'auto-200', millicredits: '200000' }],
    ...overrides,
  };
}
