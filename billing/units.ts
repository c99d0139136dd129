/**
 * Units of the billing rules (BILLING-RULES.md section 1): instants as integer epoch milliseconds,
 * credits as integer millicredits, prices as integer micro-units, money as integer minor units.
 * Everything here is exact integer arithmetic; `bigint` wherever a product can pass 2^53.
 */

/** Epoch milliseconds (UTC). Always an integer. */
export type EpochMs = number;

const MS_PER_DAY = 86_400_000;

/** floor(a / b) for safe integers, b > 0, without a floating-point quotient. */
export function floorDivInt(a: number, b: number): number {
  const remainder = ((a % b) + b) % b;
  return (a - remainder) / b;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (exact for every year; no Date quirks). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = floorDivInt(y, 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = floorDivInt(153 * mp + 2, 5) + day - 1;
  const doe = yoe * 365 + floorDivInt(yoe, 4) - floorDivInt(yoe, 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A wall-clock date-time with no zone (the billing anchor). */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function validDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number) {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 59;
}

/** The value of `count` ASCII digits at `at`, or -1 when any is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** `YYYY-MM-DDTHH:MM:SS` at the start of `text`, checked to be a real date and time. */
function dateTimeAt(text: string): LocalDateTime | undefined {
  if (
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  ) {
    return undefined; // '-', '-', 'T', ':', ':'
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (!validDateTime(year, month, day, hour, minute, second)) return undefined;
  return { year, month, day, hour, minute, second, millisecond: 0 };
}

/**
 * Parses an RFC 3339 instant with uppercase `T` and `Z`, seconds required, at most three fraction
 * digits and a real date and time (no `24:00`, no leap second). Returns epoch milliseconds, or
 * `undefined` when the text is not such an instant. Hand-written rather than a regular
 * expression: it runs for every call event.
 */
export function parseInstant(text: string): EpochMs | undefined {
  if (text.length < 20) return undefined;
  const local = dateTimeAt(text);
  if (local === undefined) return undefined;
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    // '.' then 1 to 3 digits, scaled to milliseconds
    let digits = 0;
    for (i++; digits < 4; i++, digits++) {
      const d = text.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) break;
      ms = ms * 10 + d;
    }
    if (digits === 0 || digits > 3) return undefined;
    ms *= digits === 1 ? 100 : digits === 2 ? 10 : 1;
  }
  let offsetMinutes = 0;
  const sign = text.charCodeAt(i);
  if (sign === 90 && text.length === i + 1) {
    // 'Z'
  } else if (
    (sign === 43 || sign === 45) &&
    text.length === i + 6 &&
    text.charCodeAt(i + 3) === 58
  ) {
    const oh = digitsAt(text, i + 1, 2);
    const om = digitsAt(text, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
    offsetMinutes = (sign === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return undefined;
  }
  const { year, month, day, hour, minute, second } = local;
  return (
    daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    ms
  );
}

/** Parses a local date-time `YYYY-MM-DDTHH:MM:SS` (no fraction, no offset). */
export function parseLocalDateTime(text: string): LocalDateTime | undefined {
  return text.length === 19 ? dateTimeAt(text) : undefined;
}

/** Formats an instant as UTC with milliseconds: `2026-02-28T08:00:00.000Z`. */
export function formatInstant(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Decimal amounts given by people.

const CREDITS_RE = /^([0-9]{1,12})(?:\.([0-9]{1,3}))?$/;
const PRICE_RE = /^([0-9]{1,12})(?:\.([0-9]{1,6}))?$/;

function parseScaled(re: RegExp, scale: number, text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const m = re.exec(text);
  if (m === null) return undefined;
  return BigInt(m[1]!) * 10n ** BigInt(scale) + BigInt((m[2] ?? '').padEnd(scale, '0') || '0');
}

/** `"12.5"` credits -> 12,500 millicredits; `undefined` unless `[0-9]{1,12}(\.[0-9]{1,3})?`. */
export function parseCredits(text: unknown): bigint | undefined {
  return parseScaled(CREDITS_RE, 3, text);
}

/** `"0.12"` (major units) -> 120,000 micro-units; `undefined` unless `[0-9]{1,12}(\.[0-9]{1,6})?`. */
export function parsePriceMicros(text: unknown): bigint | undefined {
  return parseScaled(PRICE_RE, 6, text);
}

/** Millicredits as a credit amount for people: 12,500 -> `"12.5"`. */
export function formatCredits(millicredits: bigint): string {
  const negative = millicredits < 0n;
  const abs = negative ? -millicredits : millicredits;
  const whole = abs / 1000n;
  const fraction = (abs % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** ISO 4217 minor-unit exponents of the currencies the rules accept. */
export const CURRENCY_EXPONENTS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  INR: 2,
  SGD: 2,
  HKD: 2,
  MXN: 2,
  BRL: 2,
  ZAR: 2,
  JPY: 0,
  KRW: 0,
} as const satisfies Record<string, number>;

export type Currency = keyof typeof CURRENCY_EXPONENTS;

export function isCurrency(code: unknown): code is Currency {
  return typeof code === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, code);
}

// ---------------------------------------------------------------------------------------------
// Exact integer helpers.

/** ceil(a / b) for safe integers a >= 0, b > 0, without a floating-point quotient. */
export function ceilDivInt(a: number, b: number): number {
  const remainder = a % b;
  const quotient = (a - remainder) / b; // exact: a - remainder is a multiple of b
  return remainder > 0 ? quotient + 1 : quotient;
}

/** ceil(a / b) for a >= 0, b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** a / b rounded half up (half away from zero, for a >= 0, b > 0). */
export function roundHalfUpDiv(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

/**
 * The overage charge (BILLING-RULES.md section 6): overage millicredits at a price per credit in
 * micro-units, in the currency's minor units, `roundHalfUp(overage * price * 10^exp / 10^9)`.
 */
export function overageChargeMinor(
  overageMillicredits: bigint,
  priceMicros: bigint,
  currency: Currency,
): bigint {
  const exponent = BigInt(CURRENCY_EXPONENTS[currency]);
  return roundHalfUpDiv(overageMillicredits * priceMicros * 10n ** exponent, 1_000_000_000n);
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
