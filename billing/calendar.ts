import { Temporal } from 'temporal-polyfill';
import { daysInMonth, floorDivInt, type EpochMs, type LocalDateTime } from './units.js';

/**
 * The billing calendar of an account (BILLING-RULES.md section 4): cycle boundaries fall on the
 * anchor's day of month (clamped to the month's length) and local time of day, in the account's
 * IANA time zone. JSON-safe so it can live in workflow state.
 */
export interface BillingCalendar {
  timeZone: string;
  /** Day of month and time of day of every boundary; its year and month are not used. */
  anchor: Omit<LocalDateTime, 'year' | 'month'>;
  /**
   * Without a billing anchor, the creation instant itself is the boundary of its month, even when
   * `compatible` disambiguation would pick the other occurrence of a repeated hour.
   */
  pinned: { monthIndex: number; at: EpochMs } | null;
}

/** A month as one integer: `year * 12 + (month - 1)`. */
export type MonthIndex = number;

/** True when `name` is an IANA time zone name spelled as in the tz database (links allowed). */
export function isIanaTimeZone(name: unknown): name is string {
  if (typeof name !== 'string' || /^[+-]/.test(name)) return false;
  try {
    return Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(name).timeZoneId === name;
  } catch {
    return false;
  }
}

/** The wall-clock date-time of an instant in a zone. */
export function localDateTimeOf(at: EpochMs, timeZone: string): LocalDateTime {
  const z = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timeZone);
  return {
    year: z.year,
    month: z.month,
    day: z.day,
    hour: z.hour,
    minute: z.minute,
    second: z.second,
    millisecond: z.millisecond,
  };
}

/** The local date (`YYYY-MM-DD`) of an instant in a zone. */
export function localDateOf(at: EpochMs, timeZone: string): string {
  const { year, month, day } = localDateTimeOf(at, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/**
 * The short name of the zone's offset at an instant, as people read it beside a time (`PST`,
 * `GMT+1`, in US English). Only names come from `Intl` here: local dates and times come from
 * {@link localDateTimeOf}.
 */
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();

export function zoneNameAt(at: EpochMs, timeZone: string): string {
  let format = zoneNameFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' });
    zoneNameFormats.set(timeZone, format);
  }
  return format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** The instant of a wall-clock date-time, with TC39 Temporal's `compatible` disambiguation. */
export function instantOfLocal(local: LocalDateTime, timeZone: string): EpochMs {
  return Temporal.PlainDateTime.from(local).toZonedDateTime(timeZone, {
    disambiguation: 'compatible',
  }).epochMilliseconds;
}

export function monthIndexOf(local: { year: number; month: number }): MonthIndex {
  return local.year * 12 + (local.month - 1);
}

export function makeCalendar(
  timeZone: string,
  createdAt: EpochMs,
  billingAnchor: LocalDateTime | null,
): BillingCalendar {
  const created = localDateTimeOf(createdAt, timeZone);
  const { year: _y, month: _m, ...anchor } = billingAnchor ?? created;
  return {
    timeZone,
    anchor,
    pinned: billingAnchor === null ? { monthIndex: monthIndexOf(created), at: createdAt } : null,
  };
}

/** The boundary instant in a given month. */
export function boundaryOf(calendar: BillingCalendar, monthIndex: MonthIndex): EpochMs {
  if (calendar.pinned !== null && calendar.pinned.monthIndex === monthIndex) {
    return calendar.pinned.at;
  }
  const year = floorDivInt(monthIndex, 12);
  const month = monthIndex - year * 12 + 1;
  const { anchor } = calendar;
  return instantOfLocal(
    { ...anchor, year, month, day: Math.min(anchor.day, daysInMonth(year, month)) },
    calendar.timeZone,
  );
}

/** One cycle's place in the calendar: [start, end), and the full cycle it is part of. */
export interface CycleSpan {
  start: EpochMs;
  end: EpochMs;
  /** The boundary at or before `start`: equal to it except in a partial first cycle. */
  fullStart: EpochMs;
  /** The month of the boundary that ends the cycle. */
  endMonth: MonthIndex;
}

/** The first cycle: from the account's creation to the first boundary after it. */
export function firstCycleSpan(calendar: BillingCalendar, createdAt: EpochMs): CycleSpan {
  let endMonth = monthIndexOf(localDateTimeOf(createdAt, calendar.timeZone));
  // Step to the first boundary after creation; the loops also absorb a boundary that a DST gap
  // pushed across the turn of a month.
  while (boundaryOf(calendar, endMonth) <= createdAt) endMonth++;
  while (boundaryOf(calendar, endMonth - 1) > createdAt) endMonth--;
  return {
    start: createdAt,
    end: boundaryOf(calendar, endMonth),
    fullStart: boundaryOf(calendar, endMonth - 1),
    endMonth,
  };
}

/** The cycle after `previous`. */
export function nextCycleSpan(calendar: BillingCalendar, previous: CycleSpan): CycleSpan {
  const endMonth = previous.endMonth + 1;
  return {
    start: previous.end,
    end: boundaryOf(calendar, endMonth),
    fullStart: previous.end,
    endMonth,
  };
}
