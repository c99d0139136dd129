/**
 * Usage insights (docs/billing-rules.md, "Usage insights"): the credits booked per local day, the
 * open cycle's daily chart, peak days, the week-on-week trend, a weekday-aware projection of the
 * cycle-end usage with an honest range, the date the credits are expected to run out, and an
 * upgrade suggestion. Pure and deterministic (the workflow keeps {@link DailyUsage} in its state
 * and calls {@link computeInsights} from a query): no clock, no randomness, no Node built-ins, and
 * every amount is an exact integer of millicredits computed in `bigint`.
 */
import { instantOfLocal, localDateTimeOf } from './calendar.js';
import type { LedgerEffect } from './ledger.js';
import { calendarDaysBetween } from './usage.js';
import {
  ceilDiv,
  daysFromCivil,
  floorDivInt,
  formatCredits,
  formatInstant,
  maxBig,
  type EpochMs,
} from './units.js';

// ---------------------------------------------------------------------------------------------
// Daily usage, kept by the workflow.

/**
 * Credits booked per local day, kept by the workflow for the open cycle and the one before it.
 * JSON-safe, small.
 */
export interface DailyUsage {
  /**
   * Bookings are recorded from this instant on (the account's creation, or when an older
   * workflow first kept them).
   */
  since: EpochMs;
  /**
   * Per cycle index, sparse: only days with usage, dates ascending. At most 2 cycles kept,
   * ascending by index.
   */
  cycles: {
    index: number;
    days: { date: string /* YYYY-MM-DD local */; millicredits: string }[];
  }[];
}

/** How many cycles {@link DailyUsage} keeps: the open one and the one before it. */
const KEPT_CYCLES = 2;

export function emptyDailyUsage(since: EpochMs): DailyUsage {
  return { since, cycles: [] };
}

/**
 * Records one `callBooked` ledger effect (see LedgerEffect in billing/ledger.ts) in place. The day
 * is the local date (timeZone) of the booking instant `bookedAt`, except a late adjustment
 * (`late: true`, booked into the open cycle from a closed one) which counts on the local date of
 * its arrival `at`. Zero-millicredit bookings are ignored.
 *
 * Cycles are kept ascending by index; when a booking opens a third cycle the oldest is dropped
 * (the workflow normally prunes first, with {@link pruneDailyUsage}).
 */
export function recordBooking(
  daily: DailyUsage,
  effect: Extract<LedgerEffect, { type: 'callBooked' }>,
  timeZone: string,
): void {
  const amount = BigInt(effect.millicredits);
  if (amount === 0n) return;
  const date = dateString(dayNumberOf(effect.late ? effect.at : effect.bookedAt, timeZone));
  let at = daily.cycles.findIndex((c) => c.index >= effect.cycleIndex);
  if (at === -1) at = daily.cycles.length;
  let cycle = daily.cycles[at];
  if (cycle === undefined || cycle.index !== effect.cycleIndex) {
    cycle = { index: effect.cycleIndex, days: [] };
    daily.cycles.splice(at, 0, cycle);
  }
  const { days } = cycle;
  let i = days.length;
  while (i > 0 && days[i - 1]!.date > date) i--;
  const previous = days[i - 1];
  if (previous !== undefined && previous.date === date) {
    previous.millicredits = (BigInt(previous.millicredits) + amount).toString();
  } else {
    days.splice(i, 0, { date, millicredits: amount.toString() });
  }
  if (daily.cycles.length > KEPT_CYCLES) daily.cycles.splice(0, daily.cycles.length - KEPT_CYCLES);
}

/** Drops cycles older than `openCycleIndex - 1` (call it when a cycle starts). */
export function pruneDailyUsage(daily: DailyUsage, openCycleIndex: number): void {
  daily.cycles = daily.cycles.filter((c) => c.index >= openCycleIndex - 1);
}

/**
 * Every local date that intersects the cycle [start, end), oldest first, zeros filled, for the
 * statement chart: from the date of `start` to the date of `end - 1 ms` (a cycle ending at 09:30
 * on the 1st includes the 1st; one ending exactly at local midnight does not). Only this cycle's
 * bookings count (a date it shares with its neighbour shows this cycle's part). A recorded date
 * outside the range (not produced by the ledger) widens the range, so the chart always adds up
 * to the recorded total.
 */
export function cycleDaily(
  daily: DailyUsage,
  cycleIndex: number,
  start: EpochMs,
  end: EpochMs,
  timeZone: string,
): { date: string; millicredits: string }[] {
  const days = daily.cycles.find((c) => c.index === cycleIndex)?.days ?? [];
  let first = dayNumberOf(start, timeZone);
  let last = end > start ? dayNumberOf(end - 1, timeZone) : first;
  const recorded = new Map<number, string>();
  for (const day of days) {
    const n = dayNumberOfDate(day.date);
    recorded.set(n, day.millicredits);
    first = Math.min(first, n);
    last = Math.max(last, n);
  }
  const out: { date: string; millicredits: string }[] = [];
  for (let n = first; n <= last; n++) {
    out.push({ date: dateString(n), millicredits: recorded.get(n) ?? '0' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Insights.

export interface InsightsInput {
  now: EpochMs;
  timeZone: string;
  accountCreatedAt: EpochMs;
  /** The open cycle. */
  cycle: {
    index: number;
    start: EpochMs;
    end: EpochMs;
    allowanceMillicredits: string;
    availableMillicredits: string;
    usedMillicredits: string;
  };
  daily: DailyUsage;
  /** Closed cycles, newest first (a few numbers each). */
  pastCycles: {
    usedMillicredits: string;
    allowanceMillicredits: string;
    availableMillicredits: string;
  }[];
}

type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';

export interface Insights {
  /** ISO UTC of now. */
  asOf: string;
  timeZone: string;
  /**
   * Every local day of the open cycle from its start up to today (inclusive), oldest first,
   * zeros included.
   */
  daily: { date: string; millicredits: string }[];
  /** Used in this cycle divided by the days elapsed (today counts as a day), rounded down. */
  averageDailyMillicredits: string;
  /**
   * Up to 3 days of the open cycle with the most usage, most first (earlier date on ties); no
   * zero days.
   */
  peakDays: { date: string; weekday: Weekday; millicredits: string }[];
  /**
   * The last 7 complete local days (ending yesterday) against the 7 before (across cycles, from
   * `daily`); `unknown` when the 14 days are not all covered by recorded history.
   */
  trend: {
    direction: 'up' | 'down' | 'flat' | 'unknown';
    last7DaysMillicredits: string;
    previous7DaysMillicredits: string;
    /** Integer, rounded toward zero; null when previous is 0 or unknown. */
    changePercent: number | null;
  };
  projection: {
    method: 'weekday' | 'linear';
    /** Usage expected at the cycle end: a range. low <= expected <= high, and low >= used. */
    lowMillicredits: string;
    expectedMillicredits: string;
    highMillicredits: string;
    /** The linear baseline: used * (end - start) / (now - start), rounded down. */
    linearMillicredits: string;
    /** Complete local days the rates are estimated from. */
    observedDays: number;
    /**
     * Local date on which the expected usage reaches the available credits; null when it does
     * not before the reset, or used already >= available.
     */
    runsOutOn: string | null;
  };
  /** Calendar days from today to the reset date. */
  daysUntilReset: number;
  upgrade: {
    reason: 'consecutive-overage' | 'projected-overage';
    cycles: number;
    suggestedAllowanceMillicredits: string;
    message: string;
  } | null;
}

const DAY_MS = 86_400_000;
const WEEKDAYS: readonly Weekday[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** Peak days shown. */
const PEAK_DAYS = 3;
/** The trend is flat while the last 7 days are within this percent of the 7 before. */
const FLAT_PERCENT = 10n;
/** Complete days the weekday rates look back at, at most. */
const WINDOW_DAYS = 28;
/** Fewer complete days than this and the projection is linear. */
const MIN_OBSERVED_DAYS = 3;
/**
 * How far before the open cycle's start the kept history is trusted: the previous cycle is kept
 * and a full cycle is at least 28 days long (a February) less a daylight-saving hour, so
 * everything from 27 days before the start is recorded.
 */
const TRUSTED_BEFORE_START_MS = 27 * DAY_MS;
/** Below this many degrees of freedom the weekday residuals are too few; the spread is pooled. */
const MIN_RESIDUAL_DF = 5;
/**
 * Student's t quantile for a two-sided 80% interval (the 90th percentile), times 1000, by
 * degrees of freedom; between two rows the smaller df's (wider) value applies.
 */
const T90: readonly (readonly [number, bigint])[] = [
  [1, 3078n],
  [2, 1886n],
  [3, 1638n],
  [4, 1533n],
  [5, 1476n],
  [6, 1440n],
  [7, 1415n],
  [8, 1397n],
  [9, 1383n],
  [10, 1372n],
  [12, 1356n],
  [15, 1341n],
  [20, 1325n],
  [30, 1310n],
];

function studentT90(df: bigint): bigint {
  let t = T90[0]![1];
  for (const [rowDf, value] of T90) if (BigInt(rowDf) <= df) t = value;
  return t;
}
/** Fixed-point scale of daily rates and day fractions (micro-units). */
const SCALE = 1_000_000n;

export function computeInsights(input: InsightsInput): Insights {
  const { timeZone: tz, cycle } = input;
  const days = new DayCalendar(tz);
  const used = BigInt(cycle.usedMillicredits);
  const available = BigInt(cycle.availableMillicredits);
  const allowance = BigInt(cycle.allowanceMillicredits);
  // The cycle's actual start: a partial first cycle starts at the account's creation.
  const start = Math.max(cycle.start, input.accountCreatedAt);
  const end = Math.max(cycle.end, start + 1);
  // Instants of the projection are clamped to the cycle.
  const t = Math.min(Math.max(input.now, start), end);
  const startDay = dayNumberOf(start, tz);
  const today = dayNumberOf(Math.min(t, end - 1), tz);

  // The open cycle's chart: its own bookings only.
  const own = new Map<number, bigint>();
  for (const day of input.daily.cycles.find((c) => c.index === cycle.index)?.days ?? []) {
    own.set(dayNumberOfDate(day.date), BigInt(day.millicredits));
  }
  const chart: { day: number; millicredits: bigint }[] = [];
  for (let n = startDay; n <= today; n++) chart.push({ day: n, millicredits: own.get(n) ?? 0n });

  const elapsedDays = BigInt(today - startDay + 1);
  const peakDays = chart
    .filter((d) => d.millicredits > 0n)
    .sort((a, b) =>
      a.millicredits === b.millicredits ? a.day - b.day : a.millicredits > b.millicredits ? -1 : 1,
    )
    .slice(0, PEAK_DAYS)
    .map((d) => ({
      date: dateString(d.day),
      weekday: WEEKDAYS[weekdayOf(d.day)]!,
      millicredits: d.millicredits.toString(),
    }));

  // Everything booked per local date, whatever cycle it was booked to.
  const booked = new Map<number, bigint>();
  for (const c of input.daily.cycles) {
    for (const day of c.days) {
      const n = dayNumberOfDate(day.date);
      booked.set(n, (booked.get(n) ?? 0n) + BigInt(day.millicredits));
    }
  }
  const bookedOn = (n: number): bigint => booked.get(n) ?? 0n;
  // A day is covered when it starts at or after the first instant the history is complete from.
  const trustedFrom = Math.max(
    input.daily.since,
    input.accountCreatedAt,
    cycle.start - TRUSTED_BEFORE_START_MS,
  );
  const covered = (n: number): boolean => days.startOf(n) >= trustedFrom;

  const trend = trendOf(today, bookedOn, covered);
  const linear = linearProjection(used, start, end, t);

  // Complete observed days: the last 28 before today that are covered, newest first.
  const observed: { day: number; x: bigint }[] = [];
  for (let n = today - 1; observed.length < WINDOW_DAYS && covered(n); n--) {
    observed.push({ day: n, x: bookedOn(n) });
  }

  const remaining = remainingSegments(days, today, t, end);
  const projection =
    observed.length < MIN_OBSERVED_DAYS
      ? linearFallback(used, available, linear, start, t, remaining)
      : weekdayProjection(used, available, observed, remaining);

  return {
    asOf: formatInstant(input.now),
    timeZone: tz,
    daily: chart.map((d) => ({ date: dateString(d.day), millicredits: d.millicredits.toString() })),
    averageDailyMillicredits: (used / elapsedDays).toString(),
    peakDays,
    trend,
    projection: {
      method: projection.method,
      lowMillicredits: projection.low.toString(),
      expectedMillicredits: projection.expected.toString(),
      highMillicredits: projection.high.toString(),
      linearMillicredits: linear.toString(),
      observedDays: observed.length,
      runsOutOn: projection.runsOutOn === null ? null : dateString(projection.runsOutOn),
    },
    daysUntilReset: calendarDaysBetween(input.now, cycle.end, tz),
    upgrade: upgradeOf(input.pastCycles, projection, allowance),
  };
}

// ---------------------------------------------------------------------------------------------
// Trend.

function trendOf(
  today: number,
  bookedOn: (n: number) => bigint,
  covered: (n: number) => boolean,
): Insights['trend'] {
  let last = 0n;
  let previous = 0n;
  for (let k = 1; k <= 7; k++) {
    last += bookedOn(today - k);
    previous += bookedOn(today - 7 - k);
  }
  const known = covered(today - 14);
  let direction: Insights['trend']['direction'];
  if (!known) direction = 'unknown';
  else if (last * 100n > previous * (100n + FLAT_PERCENT)) direction = 'up';
  else if (last * 100n < previous * (100n - FLAT_PERCENT)) direction = 'down';
  else direction = 'flat';
  return {
    direction,
    last7DaysMillicredits: last.toString(),
    previous7DaysMillicredits: previous.toString(),
    // bigint division truncates toward zero
    changePercent: known && previous > 0n ? Number(((last - previous) * 100n) / previous) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Projection.

interface Projection {
  method: 'weekday' | 'linear';
  low: bigint;
  expected: bigint;
  high: bigint;
  runsOutOn: number | null;
}

/** A piece of a local day still ahead in the cycle: `num / den` of the day `day`. */
interface Segment {
  day: number;
  /** The instant the piece ends (the day's end, or the cycle's end). */
  until: EpochMs;
  num: bigint;
  den: bigint;
}

/** The rest of today from `t`, every later day, and the last day up to the cycle's end. */
function remainingSegments(days: DayCalendar, today: number, t: EpochMs, end: EpochMs): Segment[] {
  const out: Segment[] = [];
  for (let n = today; ; n++) {
    const dayStart = days.startOf(n);
    if (dayStart >= end) break;
    const dayEnd = days.startOf(n + 1);
    const from = Math.max(dayStart, t);
    const until = Math.min(dayEnd, end);
    if (until > from) {
      out.push({ day: n, until, num: BigInt(until - from), den: BigInt(dayEnd - dayStart) });
    }
  }
  return out;
}

/** used * (end - start) / (now - start), rounded down; `used` at the very start. */
function linearProjection(used: bigint, start: EpochMs, end: EpochMs, t: EpochMs): bigint {
  if (t <= start) return used;
  return (used * BigInt(end - start)) / BigInt(t - start);
}

/**
 * Fewer than 3 complete days observed: the linear baseline, in the range [used + half the
 * remaining linear usage, used + twice it].
 */
function linearFallback(
  used: bigint,
  available: bigint,
  linear: bigint,
  start: EpochMs,
  t: EpochMs,
  remaining: Segment[],
): Projection {
  const ahead = linear - used;
  let runsOutOn: number | null = null;
  if (used < available && t > start && used > 0n) {
    const elapsed = BigInt(t - start);
    // The linear cumulative usage at instant u is used * (u - start) / (t - start).
    const segment = remaining.find((s) => used * BigInt(s.until - start) >= available * elapsed);
    runsOutOn = segment?.day ?? null;
  }
  return {
    method: 'linear',
    low: used + ahead / 2n,
    expected: linear,
    high: used + 2n * ahead,
    runsOutOn,
  };
}

function weekdayProjection(
  used: bigint,
  available: bigint,
  observed: { day: number; x: bigint }[],
  remaining: Segment[],
): Projection {
  const n = BigInt(observed.length);
  const sums: bigint[] = [0n, 0n, 0n, 0n, 0n, 0n, 0n];
  const counts: bigint[] = [0n, 0n, 0n, 0n, 0n, 0n, 0n];
  let total = 0n;
  for (const { day, x } of observed) {
    const w = weekdayOf(day);
    sums[w]! += x;
    counts[w]! += 1n;
    total += x;
  }
  // Daily rates in micro-millicredits, rounded down; a weekday never observed takes the mean.
  const meanScaled = (total * SCALE) / n;
  const rates = sums.map((s, w) => (counts[w]! > 0n ? (s * SCALE) / counts[w]! : meanScaled));

  // Expected: used so far plus each remaining piece of a day at its weekday's rate.
  let ahead = 0n;
  let runsOutOn: number | null = null;
  const weights: bigint[] = [0n, 0n, 0n, 0n, 0n, 0n, 0n];
  const target = (available - used) * SCALE;
  for (const s of remaining) {
    const w = weekdayOf(s.day);
    ahead += (rates[w]! * s.num) / s.den;
    weights[w]! += (s.num * SCALE) / s.den;
    if (runsOutOn === null && used < available && ahead >= target) runsOutOn = s.day;
  }
  const expected = used + ahead / SCALE;

  // Spread. A day's usage varies in proportion to its level (a constant coefficient of
  // variation kappa: variance kappa^2 * rate^2), estimated from the residuals around the
  // weekday rates; with fewer than 5 degrees of freedom left, around the overall mean instead.
  // E[sum of squared residuals] = kappa^2 * sum_w (n_w - 1) * rate_w^2 (or (n - 1) * mean^2).
  const distinct = BigInt(counts.filter((c) => c > 0n).length);
  let squares = 0n;
  let levels = 0n;
  let df: bigint;
  if (n - distinct >= BigInt(MIN_RESIDUAL_DF)) {
    for (const { day, x } of observed) squares += square(x * SCALE - rates[weekdayOf(day)]!);
    for (let w = 0; w < 7; w++) {
      if (counts[w]! > 0n) levels += (counts[w]! - 1n) * square(rates[w]!);
    }
    df = n - distinct;
  } else {
    for (const { x } of observed) squares += square(x * SCALE - meanScaled);
    levels = (n - 1n) * square(meanScaled);
    df = n - 1n;
  }
  // Variance of the usage still ahead: each remaining (piece of a) day's own noise,
  // kappa^2 * m_w * rate_w^2, plus the uncertainty of the rate it is projected with,
  // kappa^2 * m_w^2 / n_w * rate_w^2 (m_w: the days left of weekday w, in micro-days).
  // A weekday never observed has no rate of its own: the days ahead on it are projected at the
  // mean, and may in truth be anything from nothing (a closed day) to twice that. Their part of
  // the expected usage, `unseen`, widens the range by itself on either side instead.
  let ahead2 = 0n;
  let unseen = 0n;
  for (let w = 0; w < 7; w++) {
    const m = weights[w]!;
    if (counts[w]! > 0n) ahead2 += (m * SCALE + (m * m) / counts[w]!) * square(rates[w]!);
    else unseen += m * rates[w]!;
  }
  // In micro-millicredits squared: kappa^2 = squares / levels, and ahead2 carries SCALE^2.
  const variance = levels === 0n ? 0n : (squares * ahead2) / (levels * SCALE * SCALE);
  const sd = isqrt(variance); // micro-millicredits
  const half = ceilDiv(sd * studentT90(df), 1000n * SCALE) + ceilDiv(unseen, SCALE * SCALE);
  const low = maxBig(used, expected - half);
  return { method: 'weekday', low, expected, high: expected + half, runsOutOn };
}

// ---------------------------------------------------------------------------------------------
// Upgrade suggestion.

function upgradeOf(
  pastCycles: InsightsInput['pastCycles'],
  projection: { expected: bigint; method: Insights['projection']['method'] },
  allowance: bigint,
): Insights['upgrade'] {
  const { expected } = projection;
  let streak = 0;
  let largest = 0n;
  for (const past of pastCycles) {
    const pastUsed = BigInt(past.usedMillicredits);
    if (pastUsed <= BigInt(past.allowanceMillicredits)) break;
    streak++;
    largest = maxBig(largest, pastUsed);
  }
  if (streak >= 2) {
    const suggested = ceilDiv(largest, 1000n) * 1000n;
    return {
      reason: 'consecutive-overage',
      cycles: streak,
      suggestedAllowanceMillicredits: suggested.toString(),
      message:
        `You used more than your allowance in each of your last ${streak} cycles; ` +
        `a plan with at least ${formatCredits(suggested)} credits per cycle ` +
        `would cover your usage.`,
    };
  }
  // A linear projection from a few hours or days moves too much to sell a plan on.
  if (projection.method === 'weekday' && expected > allowance) {
    const suggested = ceilDiv(expected, 1000n) * 1000n;
    return {
      reason: 'projected-overage',
      cycles: 0,
      suggestedAllowanceMillicredits: suggested.toString(),
      message:
        `At your current pace you will use about ${formatCredits(expected)} credits this cycle, ` +
        `more than your allowance of ${formatCredits(allowance)} credits; a plan with at least ` +
        `${formatCredits(suggested)} credits per cycle would cover it.`,
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Local dates as day numbers (days since 1970-01-01).

/** The local date of an instant, as a day number. */
function dayNumberOf(at: EpochMs, timeZone: string): number {
  const l = localDateTimeOf(at, timeZone);
  return daysFromCivil(l.year, l.month, l.day);
}

/** `YYYY-MM-DD` as a day number. */
function dayNumberOfDate(date: string): number {
  return daysFromCivil(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)),
    Number(date.slice(8, 10)),
  );
}

/** The proleptic Gregorian date of a day number (the inverse of `daysFromCivil`). */
function civilOf(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719_468;
  const era = floorDivInt(z, 146_097);
  const doe = z - era * 146_097;
  const yoe = floorDivInt(
    doe - floorDivInt(doe, 1_460) + floorDivInt(doe, 36_524) - floorDivInt(doe, 146_096),
    365,
  );
  const doy = doe - (365 * yoe + floorDivInt(yoe, 4) - floorDivInt(yoe, 100));
  const mp = floorDivInt(5 * doy + 2, 153);
  const day = doy - floorDivInt(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function dateString(dayNumber: number): string {
  const { year, month, day } = civilOf(dayNumber);
  const pad = (v: number, width: number) => String(v).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday). */
function weekdayOf(dayNumber: number): number {
  return dayNumber + 3 - 7 * floorDivInt(dayNumber + 3, 7);
}

/**
 * The first instant of each local date, memoised. A local day runs from the instant of its
 * midnight to the next one (23 or 25 hours around a DST change); a midnight skipped by a DST gap
 * moves forward to the first instant of the date, as `instantOfLocal` does.
 */
class DayCalendar {
  private readonly starts = new Map<number, EpochMs>();
  constructor(private readonly timeZone: string) {}

  startOf(dayNumber: number): EpochMs {
    let at = this.starts.get(dayNumber);
    if (at === undefined) {
      const { year, month, day } = civilOf(dayNumber);
      at = instantOfLocal(
        { year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 },
        this.timeZone,
      );
      this.starts.set(dayNumber, at);
    }
    return at;
  }
}

// ---------------------------------------------------------------------------------------------
// Exact integer helpers.

function square(v: bigint): bigint {
  return v * v;
}

/** floor(sqrt(v)) for v >= 0, by Newton's method on integers. */
function isqrt(v: bigint): bigint {
  if (v < 0n) throw new RangeError('isqrt of a negative number');
  if (v < 2n) return v;
  let x = BigInt(1) << BigInt(Math.ceil(v.toString(2).length / 2));
  for (;;) {
    const y = (x + v / x) / 2n;
    if (y >= x) return x;
    x = y;
  }
}
