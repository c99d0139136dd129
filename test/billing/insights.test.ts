/**
 * Usage insights (docs/billing-rules.md, "Usage insights"): daily usage kept from ledger effects,
 * the chart, peaks, trend, the weekday-aware projection and its range, the run-out date and the
 * upgrade suggestion, on histories built by hand and worked out by hand in the comments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeInsights,
  cycleDaily,
  emptyDailyUsage,
  pruneDailyUsage,
  recordBooking,
  type DailyUsage,
  type InsightsInput,
} from '../../billing/insights.js';
import type { LedgerEffect } from '../../billing/ledger.js';
import { daysFromCivil } from '../../billing/units.js';
import { account, callLasting, DAY, LedgerDriver, ms } from './builders.js';

type Booked = Extract<LedgerEffect, { type: 'callBooked' }>;

let calls = 0;

/** A `callBooked` effect booked (and arriving) at `bookedAt`, unless `extra` says otherwise. */
function booking(
  cycleIndex: number,
  bookedAt: string | number,
  millicredits: number | string,
  extra: Partial<Booked> = {},
): Booked {
  const t = typeof bookedAt === 'number' ? bookedAt : ms(bookedAt);
  calls++;
  return {
    type: 'callBooked',
    at: t,
    callId: `C${calls}`,
    cycleIndex,
    late: false,
    bookedAt: t,
    billedSeconds: 60,
    millicredits: String(millicredits),
    writtenOffMillicredits: '0',
    ...extra,
  };
}

function record(daily: DailyUsage, timeZone: string, ...effects: Booked[]): DailyUsage {
  for (const effect of effects) recordBooking(daily, effect, timeZone);
  return daily;
}

/** The open cycle of an input; amounts in millicredits. */
function openCycle(
  index: number,
  start: string,
  end: string,
  used: number,
  allowance = 1_000_000,
  available = allowance,
): InsightsInput['cycle'] {
  return {
    index,
    start: ms(start),
    end: ms(end),
    allowanceMillicredits: String(allowance),
    availableMillicredits: String(available),
    usedMillicredits: String(used),
  };
}

/** Books one amount per UTC date at noon, `amounts[i]` on `first + i days`. */
function bookDays(
  daily: DailyUsage,
  first: string,
  amounts: number[],
  cycleOf: (t: number) => number,
): void {
  const t0 = ms(`${first}T12:00:00Z`);
  amounts.forEach((amount, i) => {
    const t = t0 + i * DAY;
    recordBooking(daily, booking(cycleOf(t), t, amount), 'UTC');
  });
}

function sum(days: { millicredits: string }[]): bigint {
  return days.reduce((acc, d) => acc + BigInt(d.millicredits), 0n);
}

// ---------------------------------------------------------------------------------------------

describe('recordBooking', () => {
  it('adds bookings to the local date of their booking instant, dates ascending', () => {
    const daily = record(
      emptyDailyUsage(ms('2026-01-01T00:00:00Z')),
      'Asia/Tokyo',
      booking(0, '2026-01-05T10:00:00Z', 1_000), // 19:00 on 5 Jan in Tokyo
      booking(0, '2026-01-04T16:00:00Z', 2_000), // 01:00 on 5 Jan in Tokyo
      booking(0, '2026-01-04T14:59:59.999Z', 500), // 23:59:59.999 on 4 Jan in Tokyo
      booking(0, '2026-01-02T10:00:00Z', 0), // nothing billed: not recorded
      booking(0, '2026-01-07T10:00:00Z', 250),
    );
    expect(daily).toEqual({
      since: ms('2026-01-01T00:00:00Z'),
      cycles: [
        {
          index: 0,
          days: [
            { date: '2026-01-04', millicredits: '500' },
            { date: '2026-01-05', millicredits: '3000' },
            { date: '2026-01-07', millicredits: '250' },
          ],
        },
      ],
    });
    // JSON-safe: survives continue-as-new unchanged.
    expect(JSON.parse(JSON.stringify(daily))).toEqual(daily);
  });

  it('counts a late adjustment on the date it arrived, in the cycle it was booked to', () => {
    // January's call answered 31 Jan 23:50 arrives on 3 Feb, long after January closed.
    const ledger = new LedgerDriver(account());
    const daily = emptyDailyUsage(ms('2026-01-01T00:00:00Z'));
    const effects = ledger.book(
      '2026-02-03T10:00:00Z',
      callLasting('late', '2026-01-31T23:50:00Z', 90),
    );
    const booked = effects.filter((e): e is Booked => e.type === 'callBooked');
    expect(booked).toMatchObject([{ late: true, cycleIndex: 1, millicredits: '1500' }]);
    record(daily, 'UTC', ...booked);
    expect(daily.cycles).toEqual([
      { index: 1, days: [{ date: '2026-02-03', millicredits: '1500' }] },
    ]);
  });

  it("counts a call booked during grace in the previous cycle's days", () => {
    // Answered 31 Jan 23:30, arriving 1 Feb 00:30 (within the hour of grace): January's.
    const ledger = new LedgerDriver(account());
    const daily = emptyDailyUsage(ms('2026-01-01T00:00:00Z'));
    const effects = [
      ...ledger.book('2026-02-01T00:10:00Z', callLasting('feb', '2026-02-01T00:05:00Z', 60)),
      ...ledger.book('2026-02-01T00:30:00Z', callLasting('grace', '2026-01-31T23:30:00Z', 120)),
    ];
    const booked = effects.filter((e): e is Booked => e.type === 'callBooked');
    expect(booked).toMatchObject([
      { cycleIndex: 1, late: false },
      { cycleIndex: 0, late: false },
    ]);
    record(daily, 'UTC', ...booked);
    expect(daily.cycles).toEqual([
      { index: 0, days: [{ date: '2026-01-31', millicredits: '2000' }] },
      { index: 1, days: [{ date: '2026-02-01', millicredits: '1000' }] },
    ]);
  });

  it('uses the local date across a DST change (America/New_York)', () => {
    const daily = record(
      emptyDailyUsage(0),
      'America/New_York',
      booking(1, '2026-03-08T04:30:00Z', 100), // 23:30 EST on 7 March
      booking(1, '2026-03-08T05:30:00Z', 200), // 00:30 EST on 8 March
      booking(1, '2026-03-09T03:30:00Z', 400), // 23:30 EDT on 8 March (the 23-hour day)
      booking(1, '2026-03-09T04:00:00Z', 800), // 00:00 EDT on 9 March
    );
    expect(daily.cycles[0]!.days).toEqual([
      { date: '2026-03-07', millicredits: '100' },
      { date: '2026-03-08', millicredits: '600' },
      { date: '2026-03-09', millicredits: '800' },
    ]);
  });

  it('keeps at most two cycles, ascending by index', () => {
    const daily = record(
      emptyDailyUsage(0),
      'UTC',
      booking(4, '2026-05-02T10:00:00Z', 1),
      booking(3, '2026-04-30T10:00:00Z', 2),
      booking(5, '2026-06-02T10:00:00Z', 3),
    );
    expect(daily.cycles.map((c) => c.index)).toEqual([4, 5]);
  });
});

describe('pruneDailyUsage', () => {
  it('drops the cycles older than the one before the open cycle', () => {
    const daily: DailyUsage = {
      since: 0,
      cycles: [3, 4, 5].map((index) => ({
        index,
        days: [{ date: '2026-01-01', millicredits: '1' }],
      })),
    };
    pruneDailyUsage(daily, 5);
    expect(daily.cycles.map((c) => c.index)).toEqual([4, 5]);
    pruneDailyUsage(daily, 5);
    expect(daily.cycles.map((c) => c.index)).toEqual([4, 5]);
    pruneDailyUsage(daily, 6);
    expect(daily.cycles.map((c) => c.index)).toEqual([5]);
    pruneDailyUsage(daily, 8);
    expect(daily.cycles).toEqual([]);
    expect(daily.since).toBe(0);
  });
});

describe('cycleDaily', () => {
  it('fills zeros on every date that intersects the cycle, including a partial last date', () => {
    // Europe/Berlin, boundaries on the 1st at 09:30: 1 March 09:30 CET to 1 April 09:30 CEST.
    const tz = 'Europe/Berlin';
    const daily = record(
      emptyDailyUsage(0),
      tz,
      booking(2, '2026-03-01T08:30:00Z', 700), // 09:30 CET: the cycle's first instant
      booking(2, '2026-03-15T11:00:00Z', 300),
      booking(2, '2026-04-01T07:29:59.999Z', 5), // 09:29:59.999 CEST: its last instant
      booking(1, '2026-03-01T08:00:00Z', 9_999), // 09:00 CET: the cycle before
    );
    const chart = cycleDaily(daily, 2, ms('2026-03-01T08:30:00Z'), ms('2026-04-01T07:30:00Z'), tz);
    expect(chart).toHaveLength(32);
    expect(chart[0]).toEqual({ date: '2026-03-01', millicredits: '700' });
    expect(chart[1]).toEqual({ date: '2026-03-02', millicredits: '0' });
    expect(chart[14]).toEqual({ date: '2026-03-15', millicredits: '300' });
    expect(chart[30]).toEqual({ date: '2026-03-31', millicredits: '0' });
    expect(chart[31]).toEqual({ date: '2026-04-01', millicredits: '5' });
    expect(sum(chart)).toBe(1_005n);
  });

  it('leaves out the end date when the cycle ends exactly at local midnight', () => {
    // America/New_York, 9 Feb 00:00 EST to 9 Mar 00:00 EDT: 28 dates, 8 March (23 h) the last.
    const chart = cycleDaily(
      emptyDailyUsage(0),
      1,
      ms('2026-02-09T05:00:00Z'),
      ms('2026-03-09T04:00:00Z'),
      'America/New_York',
    );
    expect(chart).toHaveLength(28);
    expect(chart[0]!.date).toBe('2026-02-09');
    expect(chart[27]!.date).toBe('2026-03-08');
    expect(sum(chart)).toBe(0n);
  });

  it('shows nothing of another cycle, and zeros for a cycle without bookings', () => {
    const daily = record(emptyDailyUsage(0), 'UTC', booking(1, '2026-02-10T10:00:00Z', 42));
    const chart = cycleDaily(
      daily,
      2,
      ms('2026-03-01T00:00:00Z'),
      ms('2026-03-04T00:00:00Z'),
      'UTC',
    );
    expect(chart).toEqual([
      { date: '2026-03-01', millicredits: '0' },
      { date: '2026-03-02', millicredits: '0' },
      { date: '2026-03-03', millicredits: '0' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('computeInsights: day 1 of a new account', () => {
  // Created 1 March 2026 00:00 UTC (a Sunday), boundaries on the 1st at midnight.
  const created = ms('2026-03-01T00:00:00Z');
  const daily = record(
    emptyDailyUsage(created),
    'UTC',
    booking(0, '2026-03-01T09:00:00Z', 6_000),
    booking(0, '2026-03-01T11:00:00Z', 4_000),
  );
  const base: InsightsInput = {
    now: ms('2026-03-01T12:00:00Z'),
    timeZone: 'UTC',
    accountCreatedAt: created,
    cycle: openCycle(0, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 10_000),
    daily,
    pastCycles: [],
  };

  it('extrapolates linearly, averages over one day and knows no trend', () => {
    expect(computeInsights(base)).toEqual({
      asOf: '2026-03-01T12:00:00.000Z',
      timeZone: 'UTC',
      daily: [{ date: '2026-03-01', millicredits: '10000' }],
      averageDailyMillicredits: '10000',
      peakDays: [{ date: '2026-03-01', weekday: 'Sun', millicredits: '10000' }],
      trend: {
        direction: 'unknown',
        last7DaysMillicredits: '0',
        previous7DaysMillicredits: '0',
        changePercent: null,
      },
      projection: {
        method: 'linear',
        // 10,000 in 12 h; the cycle is 744 h: 10,000 * 744 / 12 = 620,000.
        linearMillicredits: '620000',
        expectedMillicredits: '620000',
        // used + half / twice the 610,000 still expected.
        lowMillicredits: '315000',
        highMillicredits: '1230000',
        observedDays: 0,
        // 1,000,000 takes 1,200 h at this pace: after the reset.
        runsOutOn: null,
      },
      daysUntilReset: 31,
      upgrade: null,
    });
  });

  it('walks the linear pace to the run-out date, but suggests no upgrade on a linear projection', () => {
    // 100,000 available: 10,000 * (u - start) / 12 h >= 100,000 from u = start + 120 h = 6 March
    // 00:00, the end of 5 March.
    const insights = computeInsights({
      ...base,
      cycle: openCycle(0, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 10_000, 100_000),
    });
    expect(insights.projection.runsOutOn).toBe('2026-03-05');
    // 620 expected is over the 100 allowance, but 12 hours are no basis for selling a plan.
    expect(insights.upgrade).toBeNull();
    // 100,001 available needs 120.0012 h: the threshold is crossed on 6 March.
    expect(
      computeInsights({
        ...base,
        cycle: openCycle(0, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 10_000, 100_001),
      }).projection.runsOutOn,
    ).toBe('2026-03-06');
  });

  it('runs out on no date when already used up', () => {
    const insights = computeInsights({
      ...base,
      cycle: openCycle(0, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 10_000, 10_000),
    });
    expect(insights.projection.runsOutOn).toBeNull();
  });
});

describe('computeInsights: a cycle with no usage', () => {
  it('has zeros everywhere, no run-out date and no suggestion', () => {
    const created = ms('2026-01-01T00:00:00Z');
    const insights = computeInsights({
      now: ms('2026-03-15T12:00:00Z'),
      timeZone: 'UTC',
      accountCreatedAt: created,
      cycle: openCycle(2, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 0),
      daily: emptyDailyUsage(created),
      pastCycles: [
        {
          usedMillicredits: '0',
          allowanceMillicredits: '1000000',
          availableMillicredits: '1000000',
        },
      ],
    });
    expect(insights.daily).toHaveLength(15);
    expect(insights.daily.every((d) => d.millicredits === '0')).toBe(true);
    expect(insights).toMatchObject({
      averageDailyMillicredits: '0',
      peakDays: [],
      trend: {
        direction: 'flat',
        last7DaysMillicredits: '0',
        previous7DaysMillicredits: '0',
        changePercent: null,
      },
      projection: {
        method: 'weekday',
        lowMillicredits: '0',
        expectedMillicredits: '0',
        highMillicredits: '0',
        linearMillicredits: '0',
        // 15 Feb to 14 March: 28 complete days, all recorded (the history is kept from 2 Feb).
        observedDays: 28,
        runsOutOn: null,
      },
      daysUntilReset: 17,
      upgrade: null,
    });
  });
});

describe('computeInsights: a partial first cycle', () => {
  // Created 10 March 2026 12:00 UTC, boundaries on the 1st at midnight: the first cycle runs
  // 10 March 12:00 to 1 April (21.5 days) with 1,000 credits * 21.5 / 31 = 693,548 mc.
  const created = ms('2026-03-10T12:00:00Z');
  const cycleOf = () => 0;
  const daily = emptyDailyUsage(created);
  recordBooking(daily, booking(0, '2026-03-10T14:00:00Z', 5_000), 'UTC');
  bookDays(daily, '2026-03-11', [8_000, 8_000, 8_000], cycleOf);
  recordBooking(daily, booking(0, '2026-03-14T10:00:00Z', 4_000), 'UTC');

  it('counts days from the creation and extrapolates from the actual start', () => {
    // At 12 March 12:00 only 11 March is a complete day since the creation: linear.
    const base = {
      now: ms('2026-03-12T12:00:00Z'),
      timeZone: 'UTC',
      accountCreatedAt: created,
      daily: { since: created, cycles: [{ index: 0, days: daily.cycles[0]!.days.slice(0, 3) }] },
      pastCycles: [],
    };
    const insights = computeInsights({
      ...base,
      cycle: openCycle(0, '2026-03-10T12:00:00Z', '2026-04-01T00:00:00Z', 21_000, 693_548),
    });
    expect(insights).toMatchObject({
      daily: [
        { date: '2026-03-10', millicredits: '5000' },
        { date: '2026-03-11', millicredits: '8000' },
        { date: '2026-03-12', millicredits: '8000' },
      ],
      // 21,000 over 3 dates.
      averageDailyMillicredits: '7000',
      // Ties: the earlier date first.
      peakDays: [
        { date: '2026-03-11', weekday: 'Wed', millicredits: '8000' },
        { date: '2026-03-12', weekday: 'Thu', millicredits: '8000' },
        { date: '2026-03-10', weekday: 'Tue', millicredits: '5000' },
      ],
      trend: { direction: 'unknown', changePercent: null },
      projection: {
        method: 'linear',
        observedDays: 1,
        // 21,000 in 48 h of a 516-hour cycle: 21,000 * 516 / 48 = 225,750 (from the 1st of
        // March it would have been 21,000 * 744 / 264 = 59,181).
        linearMillicredits: '225750',
        expectedMillicredits: '225750',
      },
      daysUntilReset: 20,
    });
    // A caller passing the full cycle's start gets the same: the creation is the start.
    expect(
      computeInsights({
        ...base,
        cycle: openCycle(0, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 21_000, 693_548),
      }),
    ).toEqual(insights);
  });

  it('switches to weekday rates from three complete days', () => {
    // At Saturday 14 March 12:00: Wednesday 11 to Friday 13 March are complete, 8,000 each
    // (10 March is partial). Every weekday's rate is 8,000 (observed, or the mean for Saturday
    // to Tuesday): 33,000 used + 8,000 * 12 / 24 today + 17 days * 8,000 = 173,000.
    // The observed days agree exactly (no spread), but 11.5 of the 17.5 days ahead fall on
    // weekdays never seen (half of the 14th, 21st, 28th; 15th, 22nd, 29th; 16th, 23rd, 30th;
    // 17th, 24th, 31st): +-11.5 * 8,000 = 92,000.
    const insights = computeInsights({
      now: ms('2026-03-14T12:00:00Z'),
      timeZone: 'UTC',
      accountCreatedAt: created,
      cycle: openCycle(0, '2026-03-10T12:00:00Z', '2026-04-01T00:00:00Z', 33_000, 693_548),
      daily,
      pastCycles: [],
    });
    expect(insights.projection).toEqual({
      method: 'weekday',
      lowMillicredits: '81000',
      expectedMillicredits: '173000',
      highMillicredits: '265000',
      // 33,000 * 516 h / 96 h = 177,375
      linearMillicredits: '177375',
      observedDays: 3,
      runsOutOn: null,
    });
  });
});

describe('computeInsights: few observed days', () => {
  it('takes the spread around the overall mean, with its t quantile, and widens for unseen weekdays', () => {
    // Created Tuesday 10 March 12:00 UTC; Wednesday 6,000, Thursday 8,000, Friday 10,000; now
    // Saturday 14 March 12:00 with 4,000 today: used 5,000 + 24,000 + 4,000 = 33,000.
    const created = ms('2026-03-10T12:00:00Z');
    const daily = emptyDailyUsage(created);
    recordBooking(daily, booking(0, '2026-03-10T14:00:00Z', 5_000), 'UTC');
    bookDays(daily, '2026-03-11', [6_000, 8_000, 10_000], () => 0);
    recordBooking(daily, booking(0, '2026-03-14T10:00:00Z', 4_000), 'UTC');
    const insights = computeInsights({
      now: ms('2026-03-14T12:00:00Z'),
      timeZone: 'UTC',
      accountCreatedAt: created,
      cycle: openCycle(0, '2026-03-10T12:00:00Z', '2026-04-01T00:00:00Z', 33_000, 693_548),
      daily,
      pastCycles: [],
    });
    // Ahead: 2 Wednesdays, Thursdays and Fridays at their rates (48,000) and 11.5 days of
    // unseen weekdays at the mean 8,000 (92,000): expected 173,000.
    // 3 days of 3 weekdays leave no residual: the spread is around the mean, 2 df.
    // kappa^2 = (2,000^2 + 0 + 2,000^2) / ((3 - 1) * 8,000^2) = 8e6 / 1.28e8 = 0.0625.
    // Variance = kappa^2 * (2 + 2^2 / 1) * (6,000^2 + 8,000^2 + 10,000^2) = 0.0625 * 1.2e9
    // = 7.5e7; sd 8,660.25; t(2 df, 90%) 1.886 * sd = 16,333.2 -> 16,334; plus 92,000 for the
    // unseen weekdays: 108,334 either side.
    expect(insights.projection).toEqual({
      method: 'weekday',
      lowMillicredits: '64666',
      expectedMillicredits: '173000',
      highMillicredits: '281334',
      linearMillicredits: '177375',
      observedDays: 3,
      runsOutOn: null,
    });
  });
});

describe('computeInsights: a date shared by two cycles', () => {
  it("charts the open cycle's part, and takes the whole date for the rates and the trend", () => {
    // Created 1 January 12:00 UTC, so cycles start on the 1st at 12:00. Sunday 1 March: 3,000
    // at 09:00 (February's cycle) and 5,000 at 15:00 (March's). Now Monday 2 March 12:00.
    const created = ms('2026-01-01T12:00:00Z');
    const daily = record(
      emptyDailyUsage(created),
      'UTC',
      booking(1, '2026-03-01T09:00:00Z', 3_000),
      booking(2, '2026-03-01T15:00:00Z', 5_000),
    );
    const insights = computeInsights({
      now: ms('2026-03-02T12:00:00Z'),
      timeZone: 'UTC',
      accountCreatedAt: created,
      cycle: openCycle(2, '2026-03-01T12:00:00Z', '2026-04-01T12:00:00Z', 5_000),
      daily,
      pastCycles: [],
    });
    expect(insights.daily).toEqual([
      { date: '2026-03-01', millicredits: '5000' },
      { date: '2026-03-02', millicredits: '0' },
    ]);
    expect(insights.averageDailyMillicredits).toBe('2500');
    expect(insights.trend).toEqual({
      direction: 'up',
      last7DaysMillicredits: '8000',
      previous7DaysMillicredits: '0',
      changePercent: null,
    });
    // Observed: 3 Feb to 1 March (27 days; the history is trusted from 27 days before the
    // cycle's start, 2 Feb 12:00). Sundays 0, 0, 0, 8,000: rate 2,000; every other day 0.
    // Expected: 5,000 + 4 Sundays ahead * 2,000 = 13,000. Spread: squared residuals
    // 3 * 2,000^2 + 6,000^2 = 48e6, levels 3 * 2,000^2 = 12e6: kappa^2 = 4; variance
    // 4 * (4 + 4^2 / 4) * 2,000^2 = 1.28e8; sd 11,313.7; t(20 df) 1.325 * sd = 14,990.6 ->
    // 14,991: the range is [max(5,000, 13,000 - 14,991), 13,000 + 14,991].
    expect(insights.projection).toEqual({
      method: 'weekday',
      lowMillicredits: '5000',
      expectedMillicredits: '13000',
      highMillicredits: '27991',
      // 5,000 in 24 h of a 744-hour cycle
      linearMillicredits: '155000',
      observedDays: 27,
      runsOutOn: null,
    });
    expect(insights.daysUntilReset).toBe(30);
  });
});

describe('computeInsights: weekday projection, range and run-out date', () => {
  // UTC, boundaries on the 1st at midnight, account created 1 Jan 2026; the open cycle is
  // March (index 2). Four weeks before Monday 16 March: Mondays 8,000 / 12,000 / 8,000 / 12,000,
  // Tuesday to Friday 10,000, Saturday 2,000, Sunday 0.
  const created = ms('2026-01-01T00:00:00Z');
  const week = (monday: number) => [monday, 10_000, 10_000, 10_000, 10_000, 2_000, 0];
  const daily = emptyDailyUsage(created);
  const cycleOf = (t: number) => (t < ms('2026-03-01T00:00:00Z') ? 1 : 2);
  bookDays(
    daily,
    '2026-02-16',
    [...week(8_000), ...week(12_000), ...week(8_000), ...week(12_000)],
    cycleOf,
  );
  recordBooking(daily, booking(2, '2026-03-16T09:00:00Z', 5_000), 'UTC');
  // March so far: 8,000 + 12,000 + 2 * 40,000 + 2 * 2,000 + 5,000 today = 109,000.
  const used = 109_000;
  const at = (available: number, allowance = 1_000_000): InsightsInput => ({
    now: ms('2026-03-16T12:00:00Z'),
    timeZone: 'UTC',
    accountCreatedAt: created,
    cycle: openCycle(2, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', used, allowance, available),
    daily,
    pastCycles: [],
  });

  it('projects by weekday with a residual spread', () => {
    const insights = computeInsights(at(1_000_000));
    expect(sum(insights.daily)).toBe(BigInt(used));
    expect(insights.averageDailyMillicredits).toBe('6812'); // 109,000 / 16
    expect(insights.peakDays).toEqual([
      { date: '2026-03-09', weekday: 'Mon', millicredits: '12000' },
      { date: '2026-03-03', weekday: 'Tue', millicredits: '10000' },
      { date: '2026-03-04', weekday: 'Wed', millicredits: '10000' },
    ]);
    // 9-15 March: 54,000; 2-8 March: 50,000: +8%, within 10%.
    expect(insights.trend).toEqual({
      direction: 'flat',
      last7DaysMillicredits: '54000',
      previous7DaysMillicredits: '50000',
      changePercent: 8,
    });
    // Rates: Monday 10,000, Tuesday to Friday 10,000, Saturday 2,000, Sunday 0 (4 days each).
    // Ahead: half of Monday 16 (5,000), then 17-31 March: 2 Mondays, 3 Tuesdays, 2 of each
    // other day = 20,000 + 30,000 + 60,000 + 4,000 = 114,000; expected 109,000 + 119,000.
    // Spread: squared residuals 4 * 2,000^2 = 16e6 (the Mondays); 28 - 7 = 21 df.
    // kappa^2 = 16e6 / sum_w (n_w - 1) rate_w^2 = 16e6 / (3 * (5 * 10,000^2 + 2,000^2))
    // = 16e6 / 1.512e9. Days left per weekday m: Mon 2.5, Tue 3, Wed to Sun 2 (n_w = 4), so
    // sum_w (m + m^2 / 4) rate_w^2 = 4.0625 * 1e8 + 5.25 * 1e8 + 3 * 3 * 1e8 + 3 * 4e6 + 0
    // = 1.84325e9. Variance = 16e6 * 1.84325e9 / 1.512e9 = 19,505,291; sd 4,416.48;
    // t(20 df, 90%) 1.325 * sd = 5,851.8, rounded up: 5,852.
    expect(insights.projection).toEqual({
      method: 'weekday',
      lowMillicredits: '222148',
      expectedMillicredits: '228000',
      highMillicredits: '233852',
      // 109,000 * 31 days / 15.5 days
      linearMillicredits: '218000',
      observedDays: 28,
      runsOutOn: null,
    });
    expect(insights.daysUntilReset).toBe(16);
    expect(insights.upgrade).toBeNull();
  });

  it('finds the date the expected usage reaches the available credits', () => {
    // Cumulative at each day's end: 16th 114,000; 17th-20th +10,000 each: 154,000; 21st
    // 156,000; 22nd 156,000; 23rd 166,000; 24th 176,000; 25th 186,000; 26th 196,000;
    // 27th 206,000.
    expect(computeInsights(at(200_000)).projection.runsOutOn).toBe('2026-03-27');
    expect(computeInsights(at(196_000)).projection.runsOutOn).toBe('2026-03-26');
    expect(computeInsights(at(196_001)).projection.runsOutOn).toBe('2026-03-27');
    expect(computeInsights(at(114_000)).projection.runsOutOn).toBe('2026-03-16');
    expect(computeInsights(at(228_000)).projection.runsOutOn).toBe('2026-03-31');
    expect(computeInsights(at(228_001)).projection.runsOutOn).toBeNull();
    expect(computeInsights(at(109_000)).projection.runsOutOn).toBeNull();
  });

  it('suggests an allowance for the projected usage', () => {
    expect(computeInsights(at(1_000_000, 150_000)).upgrade).toEqual({
      reason: 'projected-overage',
      cycles: 0,
      suggestedAllowanceMillicredits: '228000',
      message:
        'At your current pace you will use about 228 credits this cycle, more than your ' +
        'allowance of 150 credits; a plan with at least 228 credits per cycle would cover it.',
    });
    // Exactly the allowance is no overage.
    expect(computeInsights(at(1_000_000, 228_000)).upgrade).toBeNull();
    expect(computeInsights(at(1_000_000, 227_999)).upgrade).toMatchObject({
      suggestedAllowanceMillicredits: '228000',
    });
  });

  it('ignores history older than the kept window and before `since`', () => {
    // Recording started on 2 March 12:00: complete days 3-15 March only.
    const insights = computeInsights({
      ...at(1_000_000),
      daily: { ...daily, since: ms('2026-03-02T12:00:00Z') },
    });
    expect(insights.projection.observedDays).toBe(13);
    expect(insights.trend.direction).toBe('unknown');
  });
});

describe('computeInsights: trend', () => {
  // UTC, open cycle March (index 2), now 10 March 12:00: the last 7 days are 3-9 March, the 7
  // before 24 Feb - 2 March, across the two cycles.
  const created = ms('2026-01-01T00:00:00Z');
  const cycleOf = (t: number) => (t < ms('2026-03-01T00:00:00Z') ? 1 : 2);
  function trendWith(previous: number[], last: number[]) {
    const daily = emptyDailyUsage(created);
    bookDays(daily, '2026-02-24', [...previous, ...last], cycleOf);
    const used = sum(daily.cycles.find((c) => c.index === 2)?.days ?? []);
    return computeInsights({
      now: ms('2026-03-10T12:00:00Z'),
      timeZone: 'UTC',
      accountCreatedAt: created,
      cycle: openCycle(2, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', Number(used)),
      daily,
      pastCycles: [],
    }).trend;
  }
  const sevenOf = (v: number) => [v, v, v, v, v, v, v];

  it('is up above +10%', () => {
    expect(trendWith(sevenOf(1_000), sevenOf(1_200))).toEqual({
      direction: 'up',
      last7DaysMillicredits: '8400',
      previous7DaysMillicredits: '7000',
      changePercent: 20,
    });
  });

  it('is down below -10%, the percent rounded toward zero', () => {
    // 5,999 vs 7,000: -14.3% -> -14.
    expect(trendWith(sevenOf(1_000), sevenOf(857))).toEqual({
      direction: 'down',
      last7DaysMillicredits: '5999',
      previous7DaysMillicredits: '7000',
      changePercent: -14,
    });
  });

  it('is flat within 10% either way, inclusive', () => {
    expect(trendWith(sevenOf(1_000), [...sevenOf(1_000).slice(1), 1_700])).toMatchObject({
      direction: 'flat',
      last7DaysMillicredits: '7700',
      changePercent: 10,
    });
    expect(trendWith(sevenOf(1_000), [...sevenOf(1_000).slice(1), 300])).toMatchObject({
      direction: 'flat',
      last7DaysMillicredits: '6300',
      changePercent: -10,
    });
    expect(trendWith(sevenOf(1_000), [...sevenOf(1_000).slice(1), 1_701])).toMatchObject({
      direction: 'up',
      changePercent: 10,
    });
  });

  it('is up from nothing, without a percent', () => {
    expect(trendWith(sevenOf(0), [0, 0, 0, 0, 0, 0, 5])).toEqual({
      direction: 'up',
      last7DaysMillicredits: '5',
      previous7DaysMillicredits: '0',
      changePercent: null,
    });
  });
});

describe('computeInsights: days around DST changes (America/New_York)', () => {
  const tz = 'America/New_York';

  it('prorates the rest of a 23-hour day by its real length', () => {
    // Boundaries on the 9th at 00:00 local: the open cycle (index 1) runs 9 Feb 00:00 EST to
    // 9 March 00:00 EDT. 23,000 booked at local noon every day from 8 Feb to 7 March (8 Feb in
    // cycle 0), 10,000 on 8 March at 09:00. Now 8 March 12:00 EDT: 8 March runs from 05:00Z to
    // 04:00Z the next day (23 h), 12 h of it are left: 23,000 * 12 / 23 = 12,000 more.
    const created = ms('2026-01-09T05:00:00Z');
    const daily = emptyDailyUsage(created);
    for (let t = ms('2026-02-08T17:00:00Z'); t < ms('2026-03-08T05:00:00Z'); t += DAY) {
      recordBooking(daily, booking(t < ms('2026-02-09T05:00:00Z') ? 0 : 1, t, 23_000), tz);
    }
    recordBooking(daily, booking(1, '2026-03-08T13:00:00Z', 10_000), tz);
    const used = 27 * 23_000 + 10_000;
    const insights = computeInsights({
      now: ms('2026-03-08T16:00:00Z'),
      timeZone: tz,
      accountCreatedAt: created,
      cycle: openCycle(1, '2026-02-09T05:00:00Z', '2026-03-09T04:00:00Z', used),
      daily,
      pastCycles: [],
    });
    expect(insights.daily).toHaveLength(28);
    expect(insights.projection).toMatchObject({
      method: 'weekday',
      observedDays: 28,
      expectedMillicredits: String(used + 12_000),
      lowMillicredits: String(used + 12_000),
      highMillicredits: String(used + 12_000),
    });
    expect(insights.daysUntilReset).toBe(1);
  });

  it('prorates the rest of a 25-hour day by its real length', () => {
    // Boundaries on the 2nd at 00:00: the open cycle runs 2 Oct 00:00 EDT to 2 Nov 00:00 EST.
    // 25,000 a day; now 1 Nov 12:00 EST (17:00Z): 1 Nov runs 04:00Z to 05:00Z the next day
    // (25 h), 12 h left: 25,000 * 12 / 25 = 12,000.
    const created = ms('2026-08-02T04:00:00Z');
    const daily = emptyDailyUsage(created);
    let used = 0;
    for (let t = ms('2026-09-20T16:00:00Z'); t < ms('2026-11-01T04:00:00Z'); t += DAY) {
      const index = t < ms('2026-10-02T04:00:00Z') ? 2 : 3;
      recordBooking(daily, booking(index, t, 25_000), tz);
      if (index === 3) used += 25_000;
    }
    pruneDailyUsage(daily, 3);
    const insights = computeInsights({
      now: ms('2026-11-01T17:00:00Z'),
      timeZone: tz,
      accountCreatedAt: created,
      cycle: openCycle(3, '2026-10-02T04:00:00Z', '2026-11-02T05:00:00Z', used),
      daily,
      pastCycles: [],
    });
    expect(used).toBe(30 * 25_000);
    expect(insights.projection).toMatchObject({
      method: 'weekday',
      observedDays: 28,
      expectedMillicredits: String(used + 12_000),
    });
  });
});

describe('computeInsights: upgrade suggestions', () => {
  const created = ms('2026-01-01T00:00:00Z');
  const input = (pastCycles: [number, number][], used = 0): InsightsInput => ({
    now: ms('2026-06-02T12:00:00Z'),
    timeZone: 'UTC',
    accountCreatedAt: created,
    cycle: openCycle(5, '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z', used),
    // Recorded since June began (say, a workflow that started keeping daily usage then).
    daily: emptyDailyUsage(ms('2026-06-01T00:00:00Z')),
    pastCycles: pastCycles.map(([u, allowance]) => ({
      usedMillicredits: String(u),
      allowanceMillicredits: String(allowance),
      availableMillicredits: String(allowance),
    })),
  });

  it('suggests the largest usage of the consecutive overage cycles, up to a whole credit', () => {
    expect(
      computeInsights(
        input([
          [1_100_500, 1_000_000],
          [1_234_567, 1_000_000],
          [1_000_000, 1_000_000], // exactly the allowance: not over, ends the run
          [5_000_000, 1_000_000],
        ]),
      ).upgrade,
    ).toEqual({
      reason: 'consecutive-overage',
      cycles: 2,
      suggestedAllowanceMillicredits: '1235000',
      message:
        'You used more than your allowance in each of your last 2 cycles; a plan with at ' +
        'least 1235 credits per cycle would cover your usage.',
    });
    expect(
      computeInsights(
        input([
          [1_000_001, 1_000_000],
          [1_200_000, 1_000_000],
          [2_000_000, 1_500_000],
        ]),
      ).upgrade,
    ).toMatchObject({
      reason: 'consecutive-overage',
      cycles: 3,
      suggestedAllowanceMillicredits: '2000000',
    });
  });

  it('needs two cycles in a row, the newest first', () => {
    expect(computeInsights(input([[1_500_000, 1_000_000]])).upgrade).toBeNull();
    expect(
      computeInsights(
        input([
          [900_000, 1_000_000],
          [1_500_000, 1_000_000],
          [1_500_000, 1_000_000],
        ]),
      ).upgrade,
    ).toBeNull();
  });

  it('falls back to the projection when the closed cycles do not qualify', () => {
    // Day 2 of June, 40,000 used in 36 h (1 complete day recorded): linear,
    // 40,000 * 720 / 36 = 800,000; over an allowance of 1,000,000? No. At 60,000: 1,200,000.
    expect(computeInsights(input([[1_500_000, 1_000_000]], 40_000)).upgrade).toBeNull();
    // 1,200,000 expected, over the allowance, but on a linear projection: no suggestion yet.
    expect(computeInsights(input([[1_500_000, 1_000_000]], 60_000)).upgrade).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

describe('computeInsights: properties', () => {
  const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney'];

  it('charts exactly what was booked to the open cycle; low <= expected <= high; low >= used', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: ms('2025-01-01T00:00:00Z'), max: ms('2027-01-01T00:00:00Z') }),
        fc.integer({ min: 1, max: 31 * DAY }), // cycle length
        fc.integer({ min: 0, max: 60 * DAY }), // history before the cycle
        fc.double({ min: 0, max: 1, noNaN: true }), // how far into the cycle now is
        fc.array(
          fc.record({
            offset: fc.double({ min: 0, max: 1, noNaN: true }),
            millicredits: fc.integer({ min: 0, max: 50_000_000 }),
          }),
          { maxLength: 40 },
        ),
        fc.array(
          fc.record({
            offset: fc.integer({ min: 1, max: 27 * DAY }),
            millicredits: fc.integer({ min: 0, max: 5_000_000 }),
          }),
          { maxLength: 30 },
        ),
        fc.integer({ min: 0, max: 3_000_000 }),
        (tz, start, length, history, progress, calls, previous, available) => {
          const created = start - history;
          const end = start + length;
          const now = start + Math.floor(progress * (length - 1));
          const daily = emptyDailyUsage(created);
          for (const p of previous) {
            const t = start - p.offset;
            if (t >= created) recordBooking(daily, booking(0, t, p.millicredits), tz);
          }
          let used = 0n;
          for (const c of calls) {
            const t = start + Math.floor(c.offset * (now - start));
            recordBooking(daily, booking(1, t, c.millicredits), tz);
            used += BigInt(c.millicredits);
          }
          const input: InsightsInput = {
            now,
            timeZone: tz,
            accountCreatedAt: created,
            cycle: {
              index: 1,
              start,
              end,
              allowanceMillicredits: String(available),
              availableMillicredits: String(available),
              usedMillicredits: used.toString(),
            },
            daily,
            pastCycles: [],
          };
          const insights = computeInsights(input);
          const p = insights.projection;
          const [low, expected, high] = [
            p.lowMillicredits,
            p.expectedMillicredits,
            p.highMillicredits,
          ].map(BigInt) as [bigint, bigint, bigint];
          expect(sum(insights.daily)).toBe(used);
          expect(low <= expected && expected <= high && low >= used).toBe(true);
          expect(BigInt(p.linearMillicredits) >= used).toBe(true);
          expect(p.method === 'linear' ? p.observedDays < 3 : p.observedDays >= 3).toBe(true);
          // Every date of the chart once, consecutive, from the start's date to today's.
          const numbers = insights.daily.map((d) =>
            daysFromCivil(+d.date.slice(0, 4), +d.date.slice(5, 7), +d.date.slice(8, 10)),
          );
          numbers.forEach((n, i) => expect(n).toBe(numbers[0]! + i));
          expect(insights.peakDays.length).toBeLessThanOrEqual(3);
          // The run-out date exists exactly when the expected usage reaches what is available.
          expect(p.runsOutOn !== null).toBe(
            used < BigInt(available) && expected >= BigInt(available),
          );
          if (p.runsOutOn !== null) {
            expect(p.runsOutOn >= insights.daily[insights.daily.length - 1]!.date).toBe(true);
          }
          if (used === 0n && previous.every((x) => x.millicredits === 0)) {
            expect([low, expected, high]).toEqual([0n, 0n, 0n]);
          }
          // Deterministic, and the input is left as it was.
          expect(computeInsights(structuredClone(input))).toEqual(insights);
        },
      ),
      { numRuns: 200 },
    );
  });
});
