/**
 * How dates are written for people, in the account's time zone. Local dates (`YYYY-MM-DD`) are
 * formatted as UTC calendar dates, so they never shift; instants are first turned into the local
 * date (or date-time) of the account's time zone by billing/calendar.ts, the one path from an
 * instant to a local date.
 */
import { localDateOf as calendarDateOf, localDateTimeOf, zoneNameAt } from '../billing/calendar.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let cached = formatters.get(key);
  if (cached === undefined) {
    cached = new Intl.DateTimeFormat('en-US', options);
    formatters.set(key, cached);
  }
  return cached;
}

/** ICU writes narrow and thin no-break spaces in times and ranges; plain text wants spaces. */
function plainSpaces(text: string): string {
  return text.replace(/[\u202f\u2009\u00a0]/g, ' ');
}

const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcDateOf(localDate: string): Date | undefined {
  const m = LOCAL_DATE_RE.exec(localDate);
  if (m === null) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return date;
}

function formatLocal(localDate: string, style: 'date' | 'weekday' | 'monthDay'): string {
  const date = utcDateOf(localDate);
  if (date === undefined) return localDate;
  const options: Record<typeof style, Intl.DateTimeFormatOptions> = {
    date: { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' },
    weekday: { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' },
    monthDay: { timeZone: 'UTC', month: 'short', day: 'numeric' },
  };
  return plainSpaces(formatter(`utc:${style}`, options[style]).format(date));
}

/** `"2026-12-01"` -> `"Dec 1, 2026"`. */
export function formatLocalDate(localDate: string): string {
  return formatLocal(localDate, 'date');
}

/** `"2026-11-01"` -> `"Sun, Nov 1"`. */
export function formatLocalDay(localDate: string): string {
  return formatLocal(localDate, 'weekday');
}

/** The local date (`YYYY-MM-DD`) of an instant in a time zone, by the billing calendar. */
export function localDateOf(instant: string | number, timeZone: string): string {
  const at = new Date(instant).getTime();
  return Number.isNaN(at) ? String(instant) : calendarDateOf(at, timeZone);
}

/** The date of an instant in the account's time zone: `"Dec 1, 2026"`. */
export function formatInstantDate(instant: string, timeZone: string): string {
  return formatLocalDate(localDateOf(instant, timeZone));
}

/**
 * An instant in the account's time zone: `"Nov 19, 2026, 2:30 PM PST"`. The local date and time
 * come from the billing calendar and are formatted as a UTC wall clock, as local dates are.
 */
export function formatInstantDateTime(instant: string, timeZone: string): string {
  const at = new Date(instant).getTime();
  if (Number.isNaN(at)) return instant;
  const local = localDateTimeOf(at, timeZone);
  const wallClock = new Date(0);
  wallClock.setUTCFullYear(local.year, local.month - 1, local.day);
  wallClock.setUTCHours(local.hour, local.minute);
  const dateTime = formatter('utc:dateTime', {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });
  return `${plainSpaces(dateTime.format(wallClock))} ${zoneNameAt(at, timeZone)}`;
}

/** Local dates, first and last included: `"Nov 1 – Nov 30, 2026"`, or one date when equal. */
export function formatLocalDateRange(first: string, last: string): string {
  if (first === last) return formatLocalDate(first);
  const sameYear = first.slice(0, 4) === last.slice(0, 4);
  const from = sameYear ? formatLocal(first, 'monthDay') : formatLocalDate(first);
  return `${from} – ${formatLocalDate(last)}`;
}

/**
 * A cycle `[start, end)` as the local dates it covers: a cycle from Nov 1 00:00 to Dec 1 00:00
 * is `"Nov 1 – Nov 30, 2026"`.
 */
export function formatCycle(start: string, end: string, timeZone: string): string {
  const endMs = new Date(end).getTime();
  const first = localDateOf(start, timeZone);
  const last = Number.isNaN(endMs) ? end : localDateOf(endMs - 1, timeZone);
  return formatLocalDateRange(first, last);
}
