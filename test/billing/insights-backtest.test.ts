/**
 * Backtest of the usage projection (docs/billing-rules.md, "Usage insights"): synthetic accounts
 * with weekly patterns, drift and seeded noise, in several time zones, anchors and cycle lengths
 * (28 to 31 days, across DST changes). The calls are replayed into the daily usage the workflow
 * keeps (pruned at each cycle start); at checkpoints 3, 7, 10, 14 and 21 days into a cycle (and
 * at every whole day, for a second row), the weekday-aware expected value and the linear baseline
 * are compared with the usage the cycle actually ended with. Prints the mean absolute percentage
 * error (MAPE) of both, of a weekday-agnostic reference (the mean of the same observed days) and
 * how often the actual lay within [low, high]. Asserts the weekday method beats the linear
 * baseline and the weekday-agnostic reference: an implementation that ignores weekdays scores
 * exactly the reference and fails, one that extrapolates linearly scores the baseline and fails.
 */
import { describe, expect, it } from 'vitest';
import {
  firstCycleSpan,
  instantOfLocal,
  localDateTimeOf,
  makeCalendar,
  nextCycleSpan,
  type CycleSpan,
} from '../../billing/calendar.js';
import {
  computeInsights,
  emptyDailyUsage,
  pruneDailyUsage,
  recordBooking,
  type InsightsInput,
} from '../../billing/insights.js';
import type { LedgerEffect } from '../../billing/ledger.js';
import { daysFromCivil, parseLocalDateTime } from '../../billing/units.js';
import { seededUint32 } from '../../cli/simulate/seeded-random.js';
import { DAY, ms } from './builders.js';

type Booked = Extract<LedgerEffect, { type: 'callBooked' }>;

interface AccountSpec {
  name: string;
  timeZone: string;
  createdAt: string;
  anchor: string;
  /** Mean credits per local day, Monday first (whole credits). */
  week: [number, number, number, number, number, number, number];
  /** Per-mille growth of the level per week (0: stationary). */
  growthPerWeek: number;
}

const ACCOUNTS: AccountSpec[] = [
  {
    name: 'office, UTC, 1st 00:00',
    timeZone: 'UTC',
    createdAt: '2025-12-01T00:00:00Z',
    anchor: '2026-01-01T00:00:00',
    week: [120, 110, 110, 105, 90, 12, 4],
    growthPerWeek: 0,
  },
  {
    name: 'office, New York, 15th 09:30',
    timeZone: 'America/New_York',
    createdAt: '2025-12-15T14:30:00Z',
    anchor: '2026-01-15T09:30:00',
    week: [300, 280, 260, 260, 220, 40, 20],
    growthPerWeek: 15,
  },
  {
    name: 'restaurant, Berlin, 31st 18:00 (28-day Feb)',
    timeZone: 'Europe/Berlin',
    createdAt: '2025-11-30T17:00:00Z',
    anchor: '2026-01-31T18:00:00',
    week: [5, 40, 45, 60, 150, 220, 180],
    growthPerWeek: 0,
  },
  {
    name: 'midweek, Tokyo, 8th 00:00',
    timeZone: 'Asia/Tokyo',
    createdAt: '2025-12-07T15:00:00Z',
    anchor: '2026-01-08T00:00:00',
    week: [60, 90, 140, 90, 60, 10, 10],
    growthPerWeek: -10,
  },
  {
    name: 'office, Sydney, 4th 02:30 (DST)',
    timeZone: 'Australia/Sydney',
    createdAt: '2025-12-03T15:30:00Z',
    anchor: '2026-01-04T02:30:00',
    week: [500, 520, 480, 470, 430, 60, 30],
    growthPerWeek: 0,
  },
  {
    name: 'steady, Los Angeles, 20th 12:00',
    timeZone: 'America/Los_Angeles',
    createdAt: '2025-12-20T20:00:00Z',
    anchor: '2026-01-20T12:00:00',
    week: [80, 80, 80, 80, 80, 80, 80],
    growthPerWeek: 0,
  },
];

const SEEDS = [1, 2, 3];
const CHECKPOINT_DAYS = [3, 7, 10, 14, 21];
/** The cycles evaluated: the first (a new account's) and four more with history before them. */
const EVALUATED_CYCLES = [0, 1, 2, 3, 4];

function dayNumberOf(at: number, timeZone: string): number {
  const l = localDateTimeOf(at, timeZone);
  return daysFromCivil(l.year, l.month, l.day);
}

/** The local date of a day number, as the fields `instantOfLocal` takes. */
function civilOf(n: number): { year: number; month: number; day: number } {
  // A search over the months of the simulated years: independent of billing/insights.ts.
  for (let year = 2025; year <= 2027; year++) {
    for (let month = 1; month <= 12; month++) {
      const first = daysFromCivil(year, month, 1);
      const next = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
      if (n >= first && n < next) return { year, month, day: n - first + 1 };
    }
  }
  throw new Error(`test bug: day ${n} out of range`);
}

interface Simulation {
  spec: AccountSpec;
  created: number;
  spans: (CycleSpan & { index: number })[];
  /** Every call, in time order, with the day number of its local date. */
  bookings: (Booked & { day: number })[];
}

/** Percent of days with a spike (2.5 times the day's usage). */
const SPIKE_PERCENT = 3;

/**
 * Every call of an account from its creation to the end of its last cycle: each local day gets
 * the weekday's mean times the growth, times noise (per mille: 600 + two uniform 0..400, a
 * triangular spread of +-40%, and a 3% chance of a 2.5x spike), split over 1 to 4 calls at
 * random local times from 08:00 to 19:59.
 */
function simulate(spec: AccountSpec, seed: number): Simulation {
  const random = seededUint32(seed * 7919 + spec.name.length * 104_729);
  const created = ms(spec.createdAt);
  const anchor = parseLocalDateTime(spec.anchor);
  if (anchor === undefined) throw new Error('test bug: anchor');
  const calendar = makeCalendar(spec.timeZone, created, anchor);
  const spans: Simulation['spans'] = [{ index: 0, ...firstCycleSpan(calendar, created) }];
  while (spans.length < Math.max(...EVALUATED_CYCLES) + 1) {
    const last = spans[spans.length - 1]!;
    spans.push({ index: last.index + 1, ...nextCycleSpan(calendar, last) });
  }
  const end = spans[spans.length - 1]!.end;
  const cycleOf = (t: number) => spans.find((s) => s.start <= t && t < s.end)!.index;
  const bookings: Simulation['bookings'] = [];
  const firstDay = dayNumberOf(created, spec.timeZone);
  const lastDay = dayNumberOf(end - 1, spec.timeZone);
  for (let n = firstDay; n <= lastDay; n++) {
    const weekday = (((n + 3) % 7) + 7) % 7;
    const weeks = Math.floor((n - firstDay) / 7);
    const level = 1000 + spec.growthPerWeek * weeks; // per mille
    let permille = 600 + (random() % 401) + (random() % 401);
    if (random() % 100 < SPIKE_PERCENT) permille = (permille * 5) / 2;
    const total = Math.floor((spec.week[weekday]! * 1000 * level * permille) / 1_000_000);
    const count = 1 + (random() % 4);
    let left = total;
    for (let c = 0; c < count; c++) {
      const amount = c === count - 1 ? left : Math.floor(left / 2);
      left -= amount;
      const at = instantOfLocal(
        {
          ...civilOf(n),
          hour: 8 + (random() % 12),
          minute: random() % 60,
          second: random() % 60,
          millisecond: 0,
        },
        spec.timeZone,
      );
      if (at < created || at >= end || amount === 0) continue;
      bookings.push({
        type: 'callBooked',
        at,
        callId: `${seed}-${n}-${c}`,
        cycleIndex: cycleOf(at),
        late: false,
        bookedAt: at,
        billedSeconds: 60,
        millicredits: String(amount),
        writtenOffMillicredits: '0',
        day: n,
      });
    }
  }
  bookings.sort((a, b) => a.at - b.at);
  return { spec, created, spans, bookings };
}

interface Case {
  account: string;
  cycle: number;
  /** Whole days since the cycle's start. */
  checkpoint: number;
  actual: number;
  expected: number;
  linear: number;
  /** The weekday-agnostic reference (the linear value where the projection is linear too). */
  flat: number;
  low: number;
  high: number;
  method: string;
}

/**
 * Replays an account's calls in time order into the daily usage the workflow keeps (pruned at
 * every cycle start), and at every whole day of each evaluated cycle computes the insights.
 */
function backtest(sim: Simulation): Case[] {
  const { spec, created, spans, bookings } = sim;
  const totals = new Map<number, number>();
  for (const b of bookings)
    totals.set(b.cycleIndex, (totals.get(b.cycleIndex) ?? 0) + Number(b.millicredits));
  const targets = EVALUATED_CYCLES.flatMap((index) => {
    const span = spans[index]!;
    const days = Math.floor((span.end - span.start) / DAY);
    return Array.from({ length: days - 1 }, (_, i) => ({
      index,
      checkpoint: i + 1,
      now: span.start + (i + 1) * DAY,
    }));
  }).sort((a, b) => a.now - b.now);

  const daily = emptyDailyUsage(created);
  const perDay = new Map<number, number>();
  const used = new Map<number, bigint>();
  let open = 0;
  let next = 0;
  const cases: Case[] = [];
  for (const target of targets) {
    for (; next < bookings.length && bookings[next]!.at < target.now; next++) {
      const b = bookings[next]!;
      if (b.cycleIndex > open) {
        open = b.cycleIndex;
        pruneDailyUsage(daily, open); // the workflow prunes when a cycle starts
      }
      recordBooking(daily, b, spec.timeZone);
      perDay.set(b.day, (perDay.get(b.day) ?? 0) + Number(b.millicredits));
      used.set(b.cycleIndex, (used.get(b.cycleIndex) ?? 0n) + BigInt(b.millicredits));
    }
    if (target.index > open) {
      open = target.index;
      pruneDailyUsage(daily, open);
    }
    const span = spans[target.index]!;
    const usedNow = used.get(target.index) ?? 0n;
    const allowance = '100000000';
    const input: InsightsInput = {
      now: target.now,
      timeZone: spec.timeZone,
      accountCreatedAt: created,
      cycle: {
        index: target.index,
        start: span.start,
        end: span.end,
        allowanceMillicredits: allowance,
        availableMillicredits: allowance,
        usedMillicredits: usedNow.toString(),
      },
      daily,
      pastCycles: spans
        .slice(0, target.index)
        .reverse()
        .map((s) => ({
          usedMillicredits: String(totals.get(s.index) ?? 0),
          allowanceMillicredits: allowance,
          availableMillicredits: allowance,
        })),
    };
    const p = computeInsights(input).projection;
    // The weekday-agnostic reference: the mean of the same observed days, over the time left.
    const today = dayNumberOf(target.now, spec.timeZone);
    let observed = 0;
    for (let n = today - p.observedDays; n < today; n++) observed += perDay.get(n) ?? 0;
    const mean = p.observedDays > 0 ? observed / p.observedDays : 0;
    cases.push({
      account: spec.name,
      cycle: target.index,
      checkpoint: target.checkpoint,
      actual: totals.get(target.index) ?? 0,
      expected: Number(p.expectedMillicredits),
      linear: Number(p.linearMillicredits),
      flat:
        p.method === 'weekday'
          ? Number(usedNow) + (mean * (span.end - target.now)) / DAY
          : Number(p.linearMillicredits),
      low: Number(p.lowMillicredits),
      high: Number(p.highMillicredits),
      method: p.method,
    });
  }
  return cases;
}

function mape(cases: Case[], pick: (c: Case) => number): number {
  return (
    (100 * cases.reduce((acc, c) => acc + Math.abs(pick(c) - c.actual) / c.actual, 0)) /
    cases.length
  );
}

function coverage(cases: Case[]): number {
  return (100 * cases.filter((c) => c.low <= c.actual && c.actual <= c.high).length) / cases.length;
}

describe('insights backtest', () => {
  const all = ACCOUNTS.flatMap((spec) => SEEDS.flatMap((seed) => backtest(simulate(spec, seed))));
  const cases = all.filter((c) => CHECKPOINT_DAYS.includes(c.checkpoint));
  const atDay = (d: number) => cases.filter((c) => c.checkpoint === d);

  it('prints the errors and coverage', () => {
    const cell = (v: string | number, width = 9) => String(v).padStart(width);
    const row = (label: string, group: Case[]) =>
      [
        label.padEnd(46),
        cell(group.length, 5),
        cell(mape(group, (c) => c.expected).toFixed(2)),
        cell(mape(group, (c) => c.linear).toFixed(2)),
        cell(mape(group, (c) => c.flat).toFixed(2)),
        cell(coverage(group).toFixed(1)),
      ].join(' | ');
    const header = [
      ''.padEnd(46),
      cell('n', 5),
      cell('weekday'),
      cell('linear'),
      cell('mean'),
      cell('in range'),
    ].join(' | ');
    console.log(
      [
        'Usage projection backtest: MAPE (%) of the cycle-end usage; "mean": the same observed',
        'days without weekdays (a reference); "in range": actual within [low, high] (%).',
        header,
        ...CHECKPOINT_DAYS.map((d) => row(`after day ${d}`, atDay(d))),
        row('overall (days 3, 7, 10, 14, 21)', cases),
        row('every day of the cycle', all),
        ...ACCOUNTS.map((spec) =>
          row(
            `  ${spec.name}`,
            all.filter((c) => c.account === spec.name),
          ),
        ),
      ].join('\n'),
    );
    expect(cases).toHaveLength(ACCOUNTS.length * SEEDS.length * EVALUATED_CYCLES.length * 5);
  });

  it('beats the linear baseline, overall and at every checkpoint', () => {
    expect(mape(cases, (c) => c.expected)).toBeLessThan(0.75 * mape(cases, (c) => c.linear));
    for (const d of CHECKPOINT_DAYS) {
      expect(mape(atDay(d), (c) => c.expected)).toBeLessThan(mape(atDay(d), (c) => c.linear));
    }
  });

  it('owes its edge to the weekdays: it beats the mean of the same days', () => {
    // A weekday-agnostic projection equals the "mean" column. After 3 or 10 days of a 31-day
    // cycle, whole weeks are left and the two hardly differ; with a partial week left they do.
    expect(mape(cases, (c) => c.expected)).toBeLessThan(0.95 * mape(cases, (c) => c.flat));
    expect(mape(all, (c) => c.expected)).toBeLessThan(0.95 * mape(all, (c) => c.flat));
    expect(mape(atDay(21), (c) => c.expected)).toBeLessThan(0.9 * mape(atDay(21), (c) => c.flat));
  });

  it('holds the actual usage within [low, high] in most cases', () => {
    // Nominally 80%; drift, spikes and the time-of-day of the calls cost some of it.
    expect(coverage(cases)).toBeGreaterThanOrEqual(65);
    expect(coverage(all)).toBeGreaterThanOrEqual(65);
    // ...and the range is not uselessly wide.
    expect(coverage(all)).toBeLessThanOrEqual(95);
  });
});
