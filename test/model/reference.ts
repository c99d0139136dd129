/**
 * Independent reference model of BILLING-RULES.md (version 2) section 8 (`preview`), written from
 * the spec alone (not from billing/). Clarity over speed: the scenario is simulated as a single stream of
 * events in time order (cycle boundaries first, then operations with the same instant in the order
 * given), and every number is an exact integer (`bigint` for credits and money, integer `number`s of
 * milliseconds for instants, which stay far below 2^53).
 *
 * Section references in comments are to /work/shared/BILLING-RULES.md.
 */
import { Temporal } from '@js-temporal/polyfill';

// ---------------------------------------------------------------------------------------------
// Output shape (mirrors billing/preview.ts PreviewOutput)
// ---------------------------------------------------------------------------------------------

export interface RefCycle {
  index: number;
  start: string;
  end: string;
  closed: boolean;
  planId: string;
  allowanceMillicredits: bigint;
  purchasedMillicredits: bigint;
  usedMillicredits: bigint;
  billableSeconds: number;
  lateAdjustments: number;
  overageMillicredits: bigint;
  overageChargeMinor: bigint | null;
  grantedMillicredits: bigint;
  writtenOffMillicredits: bigint;
  purchases: RefPurchaseEntry[];
  alerts: { thresholdPercent: number; at: string }[];
}

/** One addition of purchased credits to a cycle (section 9). */
export interface RefPurchaseEntry {
  source: 'purchase' | 'autoTopUp';
  id: string;
  at: string;
  millicredits: bigint;
  chargeMinor: bigint;
  currency: string;
}

/** One `admit` (section 11). */
export interface RefAdmission {
  callId: string;
  at: string;
  allowed: boolean;
  maxSeconds: number | null;
  reason: null | 'call_already_recorded' | 'too_many_reservations' | 'limit_reached';
}

export interface RefOutput {
  cycles: RefCycle[];
  rejected: { callId: string | null; at: string; reason: string }[];
  duplicates: number;
  admissions: RefAdmission[];
}

/** The keys version 2 added to the output (section 8); a version 1 output is the rest. */
export const CYCLE_KEYS_V2 = ['grantedMillicredits', 'writtenOffMillicredits', 'purchases'];
export const TOP_KEYS_V2 = ['admissions'];

/** Thrown exactly where the spec calls a scenario malformed. */
export class ReferenceMalformed extends Error {
  override name = 'ReferenceMalformed';
}

/**
 * Knobs for the places where the spec can be read two ways. The defaults are the model's reading;
 * the differential test re-runs the model with the other reading to label a disagreement as an
 * ambiguity rather than a bug.
 */
export interface RefOptions {
  /**
   * Section 7: "A fired threshold re-arms when used*100 < p*available again". Default (true): every
   * percent value that fired in the cycle may re-arm, even when the plan in effect no longer lists
   * it (the sentence has no "of the plan in effect"). false: only the thresholds of the plan in
   * effect are looked at, to fire or to re-arm.
   */
  rearmAllPercents?: boolean;
  /**
   * Called at notable points of the simulation (never changes it): the generator uses it to place
   * operations at a reservation's exact expiry, and its coverage test to count what scenarios
   * exercise. `what` is one of the names in `TraceName`.
   */
  trace?: (what: TraceName, detail: TraceDetail) => void;
}

export type TraceName =
  | 'admission.recorded' // case 1
  | 'admission.replayed' // case 2
  | 'admission.noLimit' // case 3
  | 'admission.tooMany' // case 4
  | 'admission.allowed' // case 5, reserved
  | 'admission.refused' // case 5, limit_reached
  | 'reservation.released'
  | 'reservation.expiredSeen' // an admission or a top-up check passed over an expired one
  | 'writtenOff'
  | 'writtenOff.late' // in a cycle in grace or a late adjustment
  | 'topUp.operation'
  | 'topUp.cycleStart'
  | 'topUp.capped' // the condition held but maxPerCycle top-ups were made
  | 'topUp.afterReservation'
  | 'purchase.agreedPrice'
  | 'purchase.charged'
  | 'purchase.recurringAddition'
  | 'grant'
  | 'grant.repeated'
  | 'alert.afterTopUp';

export interface TraceDetail {
  callId?: string;
  at?: number;
  expiresAt?: number;
}

function malformed(why: string): never {
  throw new ReferenceMalformed(why);
}

// ---------------------------------------------------------------------------------------------
// Section 1: units
// ---------------------------------------------------------------------------------------------

const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function realDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 59;
}

/** Parses a section-1 instant to epoch milliseconds; null when it is not one. */
export function parseInstant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = INSTANT_RE.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!realDateTime(y, mo, d, h, mi, s)) return null;
  const frac = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const localMs = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000 + frac;
  return localMs - offsetMinutes * 60_000;
}

export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}

interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function parseLocal(value: unknown): LocalDateTime | null {
  if (typeof value !== 'string') return null;
  const m = LOCAL_RE.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!realDateTime(y, mo, d, h, mi, s)) return null;
  return { year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: 0 };
}

/** A JSON integer: a number with an integral value, within [min, max]. */
function isIntIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

const CREDITS_RE = /^([0-9]+)(?:\.([0-9]{1,3}))?$/;
const PRICE_RE = /^([0-9]+)(?:\.([0-9]{1,6}))?$/;

/** A person's credit amount (decimal string) to millicredits; null when not valid. */
function parseCredits(v: unknown): bigint | null {
  if (typeof v !== 'string') return null;
  const m = CREDITS_RE.exec(v);
  if (!m || m[1]!.length > 12) return null;
  return BigInt(m[1]!) * 1000n + BigInt((m[2] ?? '').padEnd(3, '0'));
}

/** A person's price (decimal string, major units) to micro-units; null when not valid. */
function parsePrice(v: unknown): bigint | null {
  if (typeof v !== 'string') return null;
  const m = PRICE_RE.exec(v);
  if (!m || m[1]!.length > 12) return null;
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0'));
}

const CURRENCY_EXPONENT: Record<string, bigint> = {
  USD: 2n,
  EUR: 2n,
  GBP: 2n,
  CHF: 2n,
  CAD: 2n,
  AUD: 2n,
  NZD: 2n,
  SEK: 2n,
  NOK: 2n,
  DKK: 2n,
  PLN: 2n,
  INR: 2n,
  SGD: 2n,
  HKD: 2n,
  MXN: 2n,
  BRL: 2n,
  ZAR: 2n,
  JPY: 0n,
  KRW: 0n,
};

/** An IANA name "as spelled in the tz database" (links allowed); not an offset, not another case. */
function isTimeZone(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0) return false;
  if (/^[+-]/.test(v)) return false;
  try {
    const id = Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(v).timeZoneId;
    return id === v;
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Section 2: plan
// ---------------------------------------------------------------------------------------------

type Rounding =
  { mode: 'second' } | { mode: 'minute' } | { mode: 'block'; first: bigint; block: bigint };

interface Plan {
  id: string;
  allowance: bigint; // millicredits per full cycle
  perMinute: bigint; // millicredits per minute
  rounding: Rounding;
  minimumSeconds: bigint;
  freeSeconds: bigint;
  billOutbound: boolean;
  priceMicros: bigint;
  currency: string;
  thresholds: number[]; // ascending
  // version 2 (sections 9 and 11)
  purchasePriceMicros: bigint | null; // null: purchases are not charged
  overageLimit: bigint | null; // millicredits; null: no limit from the plan
  admissionMinimumSeconds: bigint;
  admissionReserveSeconds: bigint;
}

const SECONDS_MAX = 86_400;

function parsePlan(v: unknown): Plan {
  if (!isObject(v)) malformed('plan is not an object');
  if (typeof v.id !== 'string' || v.id.length === 0) malformed('plan.id');
  if (has(v, 'name') && typeof v.name !== 'string') malformed('plan.name');
  const allowance = parseCredits(v.allowanceCredits);
  if (allowance === null) malformed('plan.allowanceCredits');
  const perMinute = parseCredits(v.creditsPerMinute);
  if (perMinute === null) malformed('plan.creditsPerMinute');
  const priceMicros = parsePrice(v.overagePricePerCredit);
  if (priceMicros === null) malformed('plan.overagePricePerCredit');
  if (
    typeof v.currency !== 'string' ||
    !Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENT, v.currency)
  )
    malformed('plan.currency');
  let rounding: Rounding = { mode: 'second' };
  if (has(v, 'rounding')) {
    const r = v.rounding;
    if (!isObject(r)) malformed('plan.rounding');
    if (r.mode === 'second') rounding = { mode: 'second' };
    else if (r.mode === 'minute') rounding = { mode: 'minute' };
    else if (r.mode === 'block') {
      if (!isIntIn(r.firstBlockSeconds, 0, SECONDS_MAX))
        malformed('plan.rounding.firstBlockSeconds');
      if (!isIntIn(r.blockSeconds, 1, SECONDS_MAX)) malformed('plan.rounding.blockSeconds');
      rounding = {
        mode: 'block',
        first: BigInt(r.firstBlockSeconds),
        block: BigInt(r.blockSeconds),
      };
    } else malformed('plan.rounding.mode');
  }
  let minimumSeconds = 0n;
  if (has(v, 'minimumSeconds')) {
    if (!isIntIn(v.minimumSeconds, 0, SECONDS_MAX)) malformed('plan.minimumSeconds');
    minimumSeconds = BigInt(v.minimumSeconds);
  }
  let freeSeconds = 0n;
  if (has(v, 'freeSeconds')) {
    if (!isIntIn(v.freeSeconds, 0, SECONDS_MAX)) malformed('plan.freeSeconds');
    freeSeconds = BigInt(v.freeSeconds);
  }
  let billOutbound = false;
  if (has(v, 'billOutbound')) {
    if (typeof v.billOutbound !== 'boolean') malformed('plan.billOutbound');
    billOutbound = v.billOutbound;
  }
  let thresholds: number[] = [];
  if (has(v, 'alertThresholdsPercent')) {
    const t = v.alertThresholdsPercent;
    if (!Array.isArray(t)) malformed('plan.alertThresholdsPercent');
    for (const p of t) if (!isIntIn(p, 1, 1000)) malformed('plan.alertThresholdsPercent value');
    if (new Set(t).size !== t.length) malformed('plan.alertThresholdsPercent repeats');
    thresholds = [...(t as number[])].sort((a, b) => a - b);
  }
  // version 2: `null` means absent for the price and for the limit; the two second-valued fields
  // are plain integers (like minimumSeconds, `null` is not an integer: malformed).
  let purchasePriceMicros: bigint | null = null;
  if (has(v, 'purchasePricePerCredit') && v.purchasePricePerCredit !== null) {
    purchasePriceMicros = parsePrice(v.purchasePricePerCredit);
    if (purchasePriceMicros === null) malformed('plan.purchasePricePerCredit');
  }
  let overageLimit: bigint | null = null;
  if (has(v, 'overageLimitCredits') && v.overageLimitCredits !== null) {
    overageLimit = parseCredits(v.overageLimitCredits);
    if (overageLimit === null) malformed('plan.overageLimitCredits');
  }
  let admissionMinimumSeconds = 60n;
  if (has(v, 'admissionMinimumSeconds')) {
    if (!isIntIn(v.admissionMinimumSeconds, 0, SECONDS_MAX))
      malformed('plan.admissionMinimumSeconds');
    admissionMinimumSeconds = BigInt(v.admissionMinimumSeconds);
  }
  let admissionReserveSeconds = 300n;
  if (has(v, 'admissionReserveSeconds')) {
    if (!isIntIn(v.admissionReserveSeconds, 0, SECONDS_MAX))
      malformed('plan.admissionReserveSeconds');
    admissionReserveSeconds = BigInt(v.admissionReserveSeconds);
  }
  return {
    id: v.id,
    allowance,
    perMinute,
    rounding,
    minimumSeconds,
    freeSeconds,
    billOutbound,
    priceMicros,
    currency: v.currency,
    thresholds,
    purchasePriceMicros,
    overageLimit,
    admissionMinimumSeconds,
    admissionReserveSeconds,
  };
}

// ---------------------------------------------------------------------------------------------
// Section 3: call events
// ---------------------------------------------------------------------------------------------

const CALL_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const DIRECTIONS = ['inbound', 'outbound'];
const STATUSES = ['completed', 'no-answer', 'busy', 'failed', 'canceled'];

/** The fields of section 3 with times normalised to UTC ms and defaults filled. */
interface CallEvent {
  callId: string;
  accountId: string;
  direction: string;
  status: string;
  answeredAt: number | null;
  endedAt: number;
  handoffAt: number | null;
  holdSeconds: number;
  systemSeconds: number;
  parentCallId: string | null;
}

/** Returns the normalised event, or null for `invalid_event`. */
function parseCallEvent(e: unknown): CallEvent | null {
  if (!isObject(e)) return null;
  if (typeof e.callId !== 'string' || !CALL_ID_RE.test(e.callId)) return null;
  if (typeof e.accountId !== 'string') return null;
  if (typeof e.direction !== 'string' || !DIRECTIONS.includes(e.direction)) return null;
  if (typeof e.status !== 'string' || !STATUSES.includes(e.status)) return null;
  const endedAt = parseInstant(e.endedAt);
  if (endedAt === null) return null;
  let answeredAt: number | null = null;
  if (has(e, 'answeredAt') && e.answeredAt !== null) {
    answeredAt = parseInstant(e.answeredAt);
    if (answeredAt === null) return null;
  }
  let handoffAt: number | null = null;
  if (has(e, 'handoffAt') && e.handoffAt !== null) {
    handoffAt = parseInstant(e.handoffAt);
    if (handoffAt === null) return null;
  }
  let parentCallId: string | null = null;
  if (has(e, 'parentCallId') && e.parentCallId !== null) {
    if (typeof e.parentCallId !== 'string') return null;
    parentCallId = e.parentCallId;
  }
  let holdSeconds = 0;
  if (has(e, 'holdSeconds')) {
    if (!isIntIn(e.holdSeconds, 0, SECONDS_MAX)) return null;
    holdSeconds = e.holdSeconds;
  }
  let systemSeconds = 0;
  if (has(e, 'systemSeconds')) {
    if (!isIntIn(e.systemSeconds, 0, SECONDS_MAX)) return null;
    systemSeconds = e.systemSeconds;
  }
  return {
    callId: e.callId,
    accountId: e.accountId,
    direction: e.direction,
    status: e.status,
    answeredAt,
    endedAt,
    handoffAt,
    holdSeconds,
    systemSeconds,
    parentCallId,
  };
}

function sameContent(a: CallEvent, b: CallEvent): boolean {
  return (
    a.callId === b.callId &&
    a.accountId === b.accountId &&
    a.direction === b.direction &&
    a.status === b.status &&
    a.answeredAt === b.answeredAt &&
    a.endedAt === b.endedAt &&
    a.handoffAt === b.handoffAt &&
    a.holdSeconds === b.holdSeconds &&
    a.systemSeconds === b.systemSeconds &&
    a.parentCallId === b.parentCallId
  );
}

function ceilDiv(a: bigint, b: bigint): bigint {
  // a >= 0, b > 0
  return (a + b - 1n) / b;
}

/** Raw seconds of an accepted call under the plan in effect (section 3). */
function rawSeconds(e: CallEvent, plan: Plan): bigint {
  if (e.status !== 'completed') return 0n;
  if (e.parentCallId !== null) return 0n;
  if (e.direction === 'outbound' && !plan.billOutbound) return 0n;
  const answered = e.answeredAt!; // completed calls without answeredAt are rejected
  const stop = Math.min(e.endedAt, e.handoffAt ?? e.endedAt);
  const connected = ceilDiv(BigInt(stop - answered), 1000n);
  const raw = connected - BigInt(e.holdSeconds) - BigInt(e.systemSeconds);
  return raw > 0n ? raw : 0n;
}

function billedSeconds(raw: bigint, plan: Plan): bigint {
  if (raw === 0n || raw <= plan.freeSeconds) return 0n;
  let billed: bigint;
  const r = plan.rounding;
  if (r.mode === 'second') billed = raw;
  else if (r.mode === 'minute') billed = ceilDiv(raw, 60n) * 60n;
  else billed = raw <= r.first ? r.first : r.first + ceilDiv(raw - r.first, r.block) * r.block;
  return billed > plan.minimumSeconds ? billed : plan.minimumSeconds;
}

function creditsOf(billed: bigint, plan: Plan): bigint {
  return ceilDiv(billed * plan.perMinute, 60n);
}

// ---------------------------------------------------------------------------------------------
// Section 4: cycle boundaries
// ---------------------------------------------------------------------------------------------

/** Local date-time in `tz` to an instant, TC39 Temporal `compatible` disambiguation. */
function localToEpochMs(tz: string, l: LocalDateTime): number {
  const pdt = new Temporal.PlainDateTime(
    l.year,
    l.month,
    l.day,
    l.hour,
    l.minute,
    l.second,
    l.millisecond,
  );
  return pdt.toZonedDateTime(tz, { disambiguation: 'compatible' }).epochMilliseconds;
}

function epochMsToLocal(tz: string, ms: number): LocalDateTime {
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz);
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

/**
 * All boundaries for local months from two months before `fromMs` to two after `toMs`, ascending.
 * The anchor's day is clamped to each month's length; without a billingAnchor, the boundary of
 * createdAt's own month is createdAt itself.
 */
function boundaries(
  tz: string,
  anchor: LocalDateTime,
  createdAtMs: number,
  createdIsBoundary: boolean,
  toMs: number,
): number[] {
  const createdLocal = epochMsToLocal(tz, createdAtMs);
  const last = epochMsToLocal(tz, toMs);
  let y = createdLocal.year;
  let m = createdLocal.month - 2;
  while (m < 1) {
    m += 12;
    y -= 1;
  }
  const out: number[] = [];
  for (;;) {
    let ms: number;
    if (createdIsBoundary && y === createdLocal.year && m === createdLocal.month) ms = createdAtMs;
    else {
      const day = Math.min(anchor.day, daysInMonth(y, m));
      ms = localToEpochMs(tz, { ...anchor, year: y, month: m, day });
    }
    out.push(ms);
    if (y * 12 + m > last.year * 12 + last.month + 2) break;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  for (let i = 1; i < out.length; i++)
    if (!(out[i]! > out[i - 1]!)) throw new Error('model: boundaries not increasing');
  return out;
}

export interface CycleSpan {
  start: number;
  end: number;
  fullStart: number;
}

/** The cycles from the first through the one containing `until` (section 4). */
function calendar(
  tz: string,
  createdAt: number,
  billingAnchor: LocalDateTime | null,
  until: number,
): CycleSpan[] {
  const anchor = billingAnchor ?? epochMsToLocal(tz, createdAt);
  const bs = boundaries(tz, anchor, createdAt, billingAnchor === null, until);
  // fullStart: the boundary at or before createdAt; first end: the first boundary after it.
  let fi = -1;
  for (let i = 0; i < bs.length; i++) if (bs[i]! <= createdAt) fi = i;
  if (fi < 0 || fi + 1 >= bs.length) throw new Error('model: boundary search');
  const spans: CycleSpan[] = [{ start: createdAt, end: bs[fi + 1]!, fullStart: bs[fi]! }];
  for (let i = fi + 1; spans[spans.length - 1]!.end <= until; i++) {
    if (i + 1 >= bs.length) throw new Error('model: ran out of boundaries');
    spans.push({ start: bs[i]!, end: bs[i + 1]!, fullStart: bs[i]! });
  }
  return spans;
}

/** For the generator: cycle spans of a valid account, given as in the scenario JSON. */
export function calendarOf(
  timeZone: string,
  createdAt: string,
  billingAnchor: string | null,
  until: number,
): CycleSpan[] {
  const c = parseInstant(createdAt);
  if (c === null) throw new Error('calendarOf: bad createdAt');
  return calendar(timeZone, c, billingAnchor === null ? null : parseLocal(billingAnchor), until);
}

/** For the generator: a local date-time in `tz` to an instant (`compatible` or `later`). */
export function localToInstant(
  tz: string,
  local: string,
  disambiguation: 'compatible' | 'later' = 'compatible',
): number {
  return Temporal.PlainDateTime.from(local).toZonedDateTime(tz, { disambiguation })
    .epochMilliseconds;
}

// ---------------------------------------------------------------------------------------------
// Section 8: scenario
// ---------------------------------------------------------------------------------------------

/** Section 12: the account's auto top-up rule. */
interface AutoTopUpRule {
  below: bigint; // millicredits
  credits: bigint; // millicredits, > 0
  maxPerCycle: number; // 1..100
}

type Op =
  | { at: number; type: 'call'; event: unknown }
  | {
      at: number;
      type: 'purchase';
      purchaseId: string;
      credits: bigint;
      recurring: boolean;
      pricePerCredit: bigint | null; // micro-units; null: none given
    }
  | { at: number; type: 'cancelPurchase'; purchaseId: string }
  | { at: number; type: 'changePlan'; plan: Plan; effective: 'now' | 'next-cycle' | null }
  | { at: number; type: 'grant'; grantId: string; credits: bigint }
  | { at: number; type: 'setOverageLimit'; credits: bigint | null }
  | { at: number; type: 'admit'; callId: string }
  | { at: number; type: 'setAutoTopUp'; rule: AutoTopUpRule | null };

interface Scenario {
  accountId: string;
  timeZone: string;
  createdAt: number;
  anchor: LocalDateTime | null;
  graceMs: number;
  maxLateMs: number;
  plan: Plan;
  until: number;
  ops: Op[]; // in the order given
}

function parseOperation(o: unknown, createdAt: number, until: number): Op {
  if (!isObject(o)) malformed('operation');
  const at = parseInstant(o.at);
  if (at === null) malformed('operation.at');
  if (at < createdAt || at > until) malformed('operation.at out of [createdAt, until]');
  switch (o.type) {
    case 'call':
      return { at, type: 'call', event: o.event };
    case 'purchase': {
      if (typeof o.purchaseId !== 'string') malformed('purchase.purchaseId');
      const credits = parseCredits(o.credits);
      if (credits === null) malformed('purchase.credits');
      let recurring = false;
      if (has(o, 'recurring')) {
        if (typeof o.recurring !== 'boolean') malformed('purchase.recurring');
        recurring = o.recurring;
      }
      // version 2: when present, a price string (`null` included in "not a price string")
      let pricePerCredit: bigint | null = null;
      if (has(o, 'pricePerCredit')) {
        pricePerCredit = parsePrice(o.pricePerCredit);
        if (pricePerCredit === null) malformed('purchase.pricePerCredit');
      }
      return { at, type: 'purchase', purchaseId: o.purchaseId, credits, recurring, pricePerCredit };
    }
    case 'cancelPurchase':
      if (typeof o.purchaseId !== 'string') malformed('cancelPurchase.purchaseId');
      return { at, type: 'cancelPurchase', purchaseId: o.purchaseId };
    case 'changePlan': {
      const p = parsePlan(o.plan);
      let effective: 'now' | 'next-cycle' | null = null;
      if (has(o, 'effective')) {
        if (o.effective !== 'now' && o.effective !== 'next-cycle')
          malformed('changePlan.effective');
        effective = o.effective;
      }
      return { at, type: 'changePlan', plan: p, effective };
    }
    case 'grant': {
      if (typeof o.grantId !== 'string' || o.grantId.length === 0) malformed('grant.grantId');
      const credits = parseCredits(o.credits);
      if (credits === null || credits <= 0n) malformed('grant.credits');
      // `reason` is required: an absent reason "is not a string of 1 to 200 characters"
      if (typeof o.reason !== 'string') malformed('grant.reason');
      const codePoints = [...o.reason].length;
      if (codePoints < 1 || codePoints > 200) malformed('grant.reason length');
      return { at, type: 'grant', grantId: o.grantId, credits };
    }
    case 'setOverageLimit': {
      if (!has(o, 'credits')) malformed('setOverageLimit.credits missing');
      let credits: bigint | null = null;
      if (o.credits !== null) {
        credits = parseCredits(o.credits);
        if (credits === null) malformed('setOverageLimit.credits');
      }
      return { at, type: 'setOverageLimit', credits };
    }
    case 'admit':
      if (typeof o.callId !== 'string' || !CALL_ID_RE.test(o.callId)) malformed('admit.callId');
      return { at, type: 'admit', callId: o.callId };
    case 'setAutoTopUp': {
      if (!has(o, 'autoTopUp')) malformed('setAutoTopUp.autoTopUp missing');
      const r = o.autoTopUp;
      if (r === null) return { at, type: 'setAutoTopUp', rule: null };
      if (!isObject(r)) malformed('setAutoTopUp.autoTopUp');
      const below = parseCredits(r.belowCredits);
      if (below === null) malformed('autoTopUp.belowCredits');
      const credits = parseCredits(r.credits);
      if (credits === null || credits <= 0n) malformed('autoTopUp.credits');
      if (!isIntIn(r.maxPerCycle, 1, 100)) malformed('autoTopUp.maxPerCycle');
      return { at, type: 'setAutoTopUp', rule: { below, credits, maxPerCycle: r.maxPerCycle } };
    }
    default:
      malformed('operation.type');
  }
}

function parseScenario(input: unknown): Scenario {
  if (!isObject(input)) malformed('scenario is not an object');
  const a = input.account;
  if (!isObject(a)) malformed('account');
  if (typeof a.id !== 'string') malformed('account.id');
  if (!isTimeZone(a.timeZone)) malformed('account.timeZone');
  const createdAt = parseInstant(a.createdAt);
  if (createdAt === null) malformed('account.createdAt');
  let anchor: LocalDateTime | null = null;
  if (has(a, 'billingAnchor')) {
    anchor = parseLocal(a.billingAnchor);
    if (anchor === null) malformed('account.billingAnchor');
  }
  let graceSeconds = 3600;
  if (has(a, 'graceSeconds')) {
    if (!isIntIn(a.graceSeconds, 0, 604_800)) malformed('account.graceSeconds');
    graceSeconds = a.graceSeconds;
  }
  let maxLateSeconds = 35 * 86_400;
  if (has(a, 'maxLateSeconds')) {
    if (!isIntIn(a.maxLateSeconds, 0, 31_622_400)) malformed('account.maxLateSeconds');
    maxLateSeconds = a.maxLateSeconds;
  }
  const plan = parsePlan(input.plan);
  const until = parseInstant(input.until);
  if (until === null) malformed('until');
  if (until < createdAt) malformed('until before createdAt');
  if (!Array.isArray(input.operations)) malformed('operations');
  const ops = (input.operations as unknown[]).map((o) => parseOperation(o, createdAt, until));
  return {
    accountId: a.id,
    timeZone: a.timeZone,
    createdAt,
    anchor,
    graceMs: graceSeconds * 1000,
    maxLateMs: maxLateSeconds * 1000,
    plan,
    until,
    ops,
  };
}

// ---------------------------------------------------------------------------------------------
// Sections 9 and 11: charges and admission arithmetic
// ---------------------------------------------------------------------------------------------

/** roundHalfUp(millicredits * priceMicros * 10^exponent / 10^9) minor units (sections 6, 9). */
function chargeMinor(millicredits: bigint, priceMicros: bigint, currency: string): bigint {
  const n = millicredits * priceMicros * 10n ** CURRENCY_EXPONENT[currency]!;
  return (n + 500_000_000n) / 1_000_000_000n; // n >= 0
}

/** Credits of an inbound, completed call of `raw` raw seconds under `plan` (section 3). */
function creditsOfRaw(raw: bigint, plan: Plan): bigint {
  return creditsOf(billedSeconds(raw, plan), plan);
}

/**
 * Section 11 case 5: the largest s in 0..86,400 whose credits are at most `headroom`; 0 when even
 * s = 0 does not fit. The credits of s raw seconds never decrease as s grows: billed seconds are 0
 * up to the free seconds and then max(rounded(s), minimum) with every rounding mode non-decreasing
 * in s (second: s; minute: ceil to 60; block: first block, then first + k blocks with k >= 1,
 * which is above the first block), and credits = ceil(billed * rate / 60) is non-decreasing in
 * billed. So the s that fit are exactly 0..k, and a binary search finds k. (model.test.ts checks
 * it against a linear scan.)
 */
function maxSecondsFor(headroom: bigint, plan: Plan): number {
  const fits = (s: number): boolean => creditsOfRaw(BigInt(s), plan) <= headroom;
  if (!fits(0)) return 0;
  let lo = 0; // fits
  let hi = SECONDS_MAX;
  if (fits(hi)) return hi;
  // invariant: fits(lo), !fits(hi)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** For the model's own tests: section 11's maxSeconds and credits of raw seconds, for a plan. */
export const modelInternals = {
  maxSeconds(planJson: unknown, headroomMillicredits: bigint): number {
    return maxSecondsFor(headroomMillicredits, parsePlan(planJson));
  },
  creditsOfRawSeconds(planJson: unknown, raw: number): bigint {
    return creditsOfRaw(BigInt(raw), parsePlan(planJson));
  },
};

// ---------------------------------------------------------------------------------------------
// Simulation
// ---------------------------------------------------------------------------------------------

interface PurchaseEntry {
  source: 'purchase' | 'autoTopUp';
  id: string;
  at: number;
  millicredits: bigint;
  chargeMinor: bigint;
  currency: string;
}

interface Cycle {
  index: number;
  start: number;
  end: number;
  fullStart: number;
  allowance: bigint;
  purchases: PurchaseEntry[]; // every addition of purchased credits, in the order added
  granted: bigint;
  used: bigint;
  writtenOff: bigint;
  billable: bigint;
  late: number;
  topUps: number; // auto top-ups made in this cycle, under any rule
  alerts: { thresholdPercent: number; at: number }[];
  fired: Set<number>; // percent values currently disarmed (fired and not re-armed)
}

interface Purchase {
  credits: bigint;
  recurring: boolean;
  cancelled: boolean;
}

type Decision = Pick<RefAdmission, 'allowed' | 'maxSeconds' | 'reason'>;

interface Reservation {
  callId: string;
  cycle: Cycle; // the cycle it was made in: the only one whose headroom and top-ups it lowers
  credits: bigint;
  expiresAt: number; // admission at + maxSeconds + 600 s: inactive from this instant on
  released: boolean; // by an event with its callId (section 11)
  decision: Decision; // replayed to a repeated admit while active
}

const purchasedOf = (c: Cycle): bigint => c.purchases.reduce((n, p) => n + p.millicredits, 0n);
const availableOf = (c: Cycle): bigint => c.allowance + purchasedOf(c) + c.granted;
const billedUsedOf = (c: Cycle): bigint => c.used - c.writtenOff;

export function referencePreview(input: unknown, options: RefOptions = {}): RefOutput {
  const s = parseScenario(input);
  const trace = options.trace ?? ((): void => undefined);

  const cycleSpans = calendar(s.timeZone, s.createdAt, s.anchor, s.until);

  // --- state ---
  const cycles: Cycle[] = [];
  /** Plan history in order applied; effective instants are non-decreasing. */
  const planHistory: { from: number; plan: Plan }[] = [{ from: s.createdAt, plan: s.plan }];
  let pending: Plan | null = null;
  const purchases = new Map<string, Purchase>();
  const purchaseOrder: string[] = [];
  const grants = new Set<string>();
  const accepted = new Map<string, CallEvent>();
  const rejected: RefOutput['rejected'] = [];
  let duplicates = 0;
  let accountLimit: bigint | null = null; // the last setOverageLimit's credits
  let topUpRule: AutoTopUpRule | null = null;
  const reservations: Reservation[] = [];
  const admissions: RefAdmission[] = [];

  const planAt = (t: number): Plan => {
    let p: Plan | null = null;
    for (const h of planHistory) if (h.from <= t) p = h.plan;
    if (p === null) throw new Error('model: no plan before ' + t);
    return p;
  };
  /**
   * "The plan in effect at t" of sections 9 and 11: as the operations applied so far have left it.
   * Every entry of the history starts at or before the instant being applied, so it is the last.
   */
  const planNow = (): Plan => planHistory[planHistory.length - 1]!.plan;
  const cycleContaining = (t: number): Cycle => {
    const c = cycles.find((x) => x.start <= t && t < x.end);
    if (!c) throw new Error('model: no started cycle contains ' + formatInstant(t));
    return c;
  };

  /** Section 11: the smaller of the plan's limit and the account's; null when neither has one. */
  const limitNow = (): bigint | null => {
    const p = planNow().overageLimit;
    if (p === null) return accountLimit;
    if (accountLimit === null) return p;
    return p < accountLimit ? p : accountLimit;
  };

  const isActive = (r: Reservation, t: number): boolean => !r.released && t < r.expiresAt;
  /** Section 11: the credits of the active reservations made in cycle `c`, at instant t. */
  const reservedIn = (c: Cycle, t: number): bigint => {
    let n = 0n;
    for (const r of reservations) if (r.cycle === c && isActive(r, t)) n += r.credits;
    return n;
  };

  /** Section 9: adds purchased credits to a cycle, charged at `priceMicros` (null: 0). */
  const addPurchased = (
    c: Cycle,
    source: PurchaseEntry['source'],
    id: string,
    at: number,
    millicredits: bigint,
    priceMicros: bigint | null,
    plan: Plan,
  ): void => {
    c.purchases.push({
      source,
      id,
      at,
      millicredits,
      chargeMinor:
        priceMicros === null ? 0n : chargeMinor(millicredits, priceMicros, plan.currency),
      currency: plan.currency,
    });
  };

  /** Section 12: top-ups of the open cycle `c` at instant t; true when at least one was made. */
  const autoTopUps = (
    c: Cycle,
    t: number,
    why: 'topUp.operation' | 'topUp.cycleStart',
  ): boolean => {
    let made = false;
    if (reservations.some((r) => r.cycle === c && !r.released && t >= r.expiresAt))
      trace('reservation.expiredSeen', { at: t });
    while (
      topUpRule !== null &&
      c.topUps < topUpRule.maxPerCycle &&
      availableOf(c) - billedUsedOf(c) - reservedIn(c, t) < topUpRule.below
    ) {
      c.topUps += 1;
      const plan = planNow();
      // the plan's purchase price (an agreed price belongs to one purchase operation only)
      addPurchased(
        c,
        'autoTopUp',
        String(c.topUps),
        t,
        topUpRule.credits,
        plan.purchasePriceMicros,
        plan,
      );
      made = true;
      trace(why, { at: t });
      if (reservedIn(c, t) > 0n) trace('topUp.afterReservation', { at: t });
    }
    if (
      topUpRule !== null &&
      c.topUps >= topUpRule.maxPerCycle &&
      availableOf(c) - billedUsedOf(c) - reservedIn(c, t) < topUpRule.below
    )
      trace('topUp.capped', { at: t });
    return made;
  };

  /** Section 7, for the open cycle `c`, after a change at instant `at`. */
  const evaluateAlerts = (c: Cycle, at: number): void => {
    const plan = planAt(at);
    const available = availableOf(c);
    const billedUsed = billedUsedOf(c);
    const percents = new Set(plan.thresholds);
    if (options.rearmAllPercents ?? true) for (const p of c.fired) percents.add(p);
    for (const p of [...percents].sort((x, y) => x - y)) {
      const bp = BigInt(p);
      const reached = available > 0n && billedUsed * 100n >= bp * available;
      if (!c.fired.has(p)) {
        if (reached && plan.thresholds.includes(p)) {
          c.alerts.push({ thresholdPercent: p, at });
          c.fired.add(p);
        }
      } else if (billedUsed * 100n < bp * available) {
        c.fired.delete(p); // re-armed
      }
    }
  };

  /** Section 4 and 12: a cycle starts (pending plan, allowance, recurring purchases, top-ups, alerts). */
  const startCycle = (index: number): void => {
    const span = cycleSpans[index]!;
    if (index > 0 && pending !== null) {
      planHistory.push({ from: span.start, plan: pending });
      pending = null;
    }
    const plan = planAt(span.start);
    let allowance = plan.allowance;
    if (span.start !== span.fullStart) {
      // partial first cycle (section 5): allowance * (end - created) / (end - fullStart), toward zero
      allowance =
        (plan.allowance * BigInt(span.end - span.start)) / BigInt(span.end - span.fullStart);
    }
    const c: Cycle = {
      index,
      start: span.start,
      end: span.end,
      fullStart: span.fullStart,
      allowance,
      purchases: [],
      granted: 0n,
      used: 0n,
      writtenOff: 0n,
      billable: 0n,
      late: 0,
      topUps: 0,
      alerts: [],
      fired: new Set(),
    };
    cycles.push(c);
    if (index > 0)
      for (const id of purchaseOrder) {
        const p = purchases.get(id)!;
        // recurring additions at a cycle start: the plan's purchase price at that start
        if (p.recurring && !p.cancelled) {
          addPurchased(c, 'purchase', id, span.start, p.credits, plan.purchasePriceMicros, plan);
          trace('purchase.recurringAddition', { at: span.start });
        }
      }
    const alertsBefore = c.alerts.length;
    if (autoTopUps(c, span.start, 'topUp.cycleStart')) {
      evaluateAlerts(c, span.start);
      if (c.alerts.length > alertsBefore) trace('alert.afterTopUp', { at: span.start });
    } else evaluateAlerts(c, span.start);
  };

  /** Applies a call operation; true when the open cycle changed (a booking into it). */
  const applyCall = (at: number, raw: unknown): boolean => {
    const reject = (reason: string): false => {
      const callId = isObject(raw) && typeof raw.callId === 'string' ? raw.callId : null;
      rejected.push({ callId, at: formatInstant(at), reason });
      return false;
    };
    // event_too_large: compact JSON encoding over 32,768 bytes of UTF-8
    const json = JSON.stringify(raw);
    if (json !== undefined && Buffer.byteLength(json, 'utf8') > 32_768)
      return reject('event_too_large');
    const e = parseCallEvent(raw);
    if (e === null) return reject('invalid_event');
    if (e.accountId !== s.accountId) return reject('account_mismatch');
    // Section 11: past those three checks, the event releases the reservation of its callId,
    // whatever happens next (a duplicate, a later rejection or a booking).
    for (const r of reservations)
      if (r.callId === e.callId && isActive(r, at)) {
        r.released = true;
        trace('reservation.released', { callId: e.callId, at });
      }
    const first = accepted.get(e.callId);
    if (first !== undefined) {
      if (sameContent(first, e)) {
        duplicates += 1;
        return false;
      }
      return reject('conflicting_duplicate');
    }
    if (e.status === 'completed' && e.answeredAt === null) return reject('answer_required');
    if (e.answeredAt !== null && e.endedAt < e.answeredAt) return reject('ended_before_answered');
    if (
      e.handoffAt !== null &&
      ((e.answeredAt !== null && e.handoffAt < e.answeredAt) || e.handoffAt > e.endedAt)
    )
      return reject('handoff_out_of_range');
    if (e.answeredAt !== null && e.endedAt - e.answeredAt > 86_400_000)
      return reject('duration_too_long');
    if ((e.answeredAt !== null && e.answeredAt - at > 300_000) || e.endedAt - at > 300_000)
      return reject('future_timestamp');
    if ((e.answeredAt ?? e.endedAt) < s.createdAt) return reject('before_account_start');
    if (at - e.endedAt > s.maxLateMs) return reject('too_old');
    accepted.set(e.callId, e);

    // booking (sections 3 and 4)
    const booking = Math.min(e.answeredAt ?? e.endedAt, at);
    const plan = planAt(booking);
    const home = cycleContaining(booking);
    const isLate = at >= home.end + s.graceMs;
    const target = isLate ? cycleContaining(at) : home;
    const billed = billedSeconds(rawSeconds(e, plan), plan);
    const credits = creditsOf(billed, plan);
    // written off (section 11): the limit in effect at the arrival, the target cycle's available
    // and billedUsed at this moment (before this call and before any top-up it triggers)
    const limit = limitNow();
    if (limit !== null) {
      const room = availableOf(target) + limit - billedUsedOf(target);
      let billable = credits < room ? credits : room;
      if (billable < 0n) billable = 0n;
      target.writtenOff += credits - billable;
      if (credits > billable)
        trace(target === cycleContaining(at) && !isLate ? 'writtenOff' : 'writtenOff.late', { at });
    }
    target.used += credits;
    target.billable += billed;
    if (isLate && billed > 0n) target.late += 1;
    return target === cycleContaining(at); // a booking into a cycle in grace is not a change to the open one
  };

  const applyPurchase = (op: Extract<Op, { type: 'purchase' }>): boolean => {
    if (purchases.has(op.purchaseId)) return false; // idempotent: an earlier purchase used this id
    purchases.set(op.purchaseId, {
      credits: op.credits,
      recurring: op.recurring,
      cancelled: false,
    });
    purchaseOrder.push(op.purchaseId);
    const plan = planNow();
    // section 9: the agreed price, when given, replaces the plan's for this first addition only
    const price = op.pricePerCredit ?? plan.purchasePriceMicros;
    if (op.pricePerCredit !== null) trace('purchase.agreedPrice', { at: op.at });
    if (price !== null && price > 0n && op.credits > 0n) trace('purchase.charged', { at: op.at });
    addPurchased(cycleContaining(op.at), 'purchase', op.purchaseId, op.at, op.credits, price, plan);
    return true;
  };

  const applyCancel = (op: Extract<Op, { type: 'cancelPurchase' }>): boolean => {
    const p = purchases.get(op.purchaseId);
    if (p !== undefined && !p.cancelled) p.cancelled = true;
    return false; // a cancel stops later additions; the current cycle keeps its credits
  };

  const applyChangePlan = (op: Extract<Op, { type: 'changePlan' }>): boolean => {
    const current = planAt(op.at);
    const effective =
      op.effective ?? (op.plan.allowance > current.allowance ? 'now' : 'next-cycle');
    pending = null; // a pending next-cycle change is replaced by any later request
    if (effective === 'next-cycle') {
      pending = op.plan;
      return false;
    }
    const c = cycleContaining(op.at);
    const delta =
      ((op.plan.allowance - current.allowance) * BigInt(c.end - op.at)) /
      BigInt(c.end - c.fullStart);
    const next = c.allowance + delta;
    c.allowance = next > 0n ? next : 0n;
    planHistory.push({ from: op.at, plan: op.plan });
    return true;
  };

  const applyGrant = (op: Extract<Op, { type: 'grant' }>): boolean => {
    if (grants.has(op.grantId)) {
      trace('grant.repeated', { at: op.at });
      return false; // idempotent by grantId
    }
    grants.add(op.grantId);
    trace('grant', { at: op.at });
    cycleContaining(op.at).granted += op.credits;
    return true;
  };

  /** Section 11: `admit`. Never changes the open cycle's credits itself (it may reserve). */
  const applyAdmit = (op: Extract<Op, { type: 'admit' }>): boolean => {
    const t = op.at;
    const c = cycleContaining(t);
    let d: Decision;
    const held = reservations.find((r) => r.callId === op.callId && isActive(r, t));
    if (reservations.some((r) => !r.released && t >= r.expiresAt && r.callId === op.callId))
      trace('reservation.expiredSeen', { callId: op.callId, at: t });
    if (accepted.has(op.callId)) {
      d = { allowed: false, maxSeconds: 0, reason: 'call_already_recorded' }; // case 1
      trace('admission.recorded', { callId: op.callId, at: t });
    } else if (held !== undefined) {
      d = held.decision; // case 2: the same answer, nothing reserved, no expiry moved
      trace('admission.replayed', { callId: op.callId, at: t });
    } else {
      const limit = limitNow();
      if (limit === null) {
        d = { allowed: true, maxSeconds: null, reason: null }; // case 3
        trace('admission.noLimit', { callId: op.callId, at: t });
      } else if (reservations.filter((r) => isActive(r, t)).length >= 1000) {
        d = { allowed: false, maxSeconds: 0, reason: 'too_many_reservations' }; // case 4
        trace('admission.tooMany', { callId: op.callId, at: t });
      } else {
        // case 5
        const plan = planNow();
        const headroom = availableOf(c) + limit - billedUsedOf(c) - reservedIn(c, t);
        const maxSeconds = maxSecondsFor(headroom, plan);
        const need = plan.admissionMinimumSeconds > 1n ? plan.admissionMinimumSeconds : 1n;
        const allowed = BigInt(maxSeconds) >= need;
        d = { allowed, maxSeconds, reason: allowed ? null : 'limit_reached' };
        if (allowed) {
          const reserveSeconds =
            BigInt(maxSeconds) < plan.admissionReserveSeconds
              ? BigInt(maxSeconds)
              : plan.admissionReserveSeconds;
          reservations.push({
            callId: op.callId,
            cycle: c,
            credits: creditsOfRaw(reserveSeconds, plan),
            expiresAt: t + (maxSeconds + 600) * 1000,
            released: false,
            decision: d,
          });
          trace('admission.allowed', {
            callId: op.callId,
            at: t,
            expiresAt: t + (maxSeconds + 600) * 1000,
          });
        } else trace('admission.refused', { callId: op.callId, at: t });
      }
    }
    admissions.push({ callId: op.callId, at: formatInstant(t), ...d });
    return false;
  };

  // --- event stream: boundaries before operations at the same instant; ops stable by `at` ---
  const ordered = s.ops.map((op, i) => ({ op, i })).sort((x, y) => x.op.at - y.op.at || x.i - y.i);
  startCycle(0);
  let nextCycle = 1;
  for (const { op } of ordered) {
    while (nextCycle < cycleSpans.length && cycleSpans[nextCycle]!.start <= op.at)
      startCycle(nextCycle++);
    // Section 12's order within one operation: the operation itself, then the top-ups it
    // triggered (for the open cycle, whatever the operation and its outcome), then alerts once.
    let changed: boolean;
    switch (op.type) {
      case 'call':
        changed = applyCall(op.at, op.event);
        break;
      case 'purchase':
        changed = applyPurchase(op);
        break;
      case 'cancelPurchase':
        changed = applyCancel(op);
        break;
      case 'changePlan':
        changed = applyChangePlan(op);
        break;
      case 'grant':
        changed = applyGrant(op);
        break;
      case 'setOverageLimit':
        accountLimit = op.credits;
        changed = false;
        break;
      case 'admit':
        changed = applyAdmit(op);
        break;
      case 'setAutoTopUp':
        topUpRule = op.rule;
        changed = false;
        break;
    }
    const open = cycleContaining(op.at);
    const alertsBefore = open.alerts.length;
    const toppedUp = autoTopUps(open, op.at, 'topUp.operation');
    if (changed || toppedUp) evaluateAlerts(open, op.at);
    if (toppedUp && open.alerts.length > alertsBefore) trace('alert.afterTopUp', { at: op.at });
  }
  while (nextCycle < cycleSpans.length && cycleSpans[nextCycle]!.start <= s.until)
    startCycle(nextCycle++);
  if (cycles.length !== cycleSpans.length) throw new Error('model: cycles not all started');

  // --- statements as of `until` ---
  const out: RefCycle[] = cycles.map((c) => {
    const plan = planAt(c.end - 1); // a change effective at the boundary belongs to the next cycle
    const closed = c.end + s.graceMs <= s.until;
    const available = availableOf(c);
    const billedUsed = billedUsedOf(c);
    const overage = billedUsed > available ? billedUsed - available : 0n;
    const charge = closed ? chargeMinor(overage, plan.priceMicros, plan.currency) : null;
    return {
      index: c.index,
      start: formatInstant(c.start),
      end: formatInstant(c.end),
      closed,
      planId: plan.id,
      allowanceMillicredits: c.allowance,
      purchasedMillicredits: purchasedOf(c),
      usedMillicredits: c.used,
      billableSeconds: Number(c.billable),
      lateAdjustments: c.late,
      overageMillicredits: overage,
      overageChargeMinor: charge,
      grantedMillicredits: c.granted,
      writtenOffMillicredits: c.writtenOff,
      purchases: c.purchases.map((p) => ({
        source: p.source,
        id: p.id,
        at: formatInstant(p.at),
        millicredits: p.millicredits,
        chargeMinor: p.chargeMinor,
        currency: p.currency,
      })),
      alerts: c.alerts.map((a) => ({
        thresholdPercent: a.thresholdPercent,
        at: formatInstant(a.at),
      })),
    };
  });
  return { cycles: out, rejected, duplicates, admissions };
}

/** A version 2 output as version 1 printed it: the keys version 2 added taken out. */
export function withoutV2Keys(out: unknown): unknown {
  if (typeof out !== 'object' || out === null || Array.isArray(out)) return out;
  const top: Record<string, unknown> = { ...(out as Record<string, unknown>) };
  for (const k of TOP_KEYS_V2) delete top[k];
  if (Array.isArray(top.cycles))
    top.cycles = top.cycles.map((c: unknown) => {
      if (typeof c !== 'object' || c === null) return c;
      const cycle: Record<string, unknown> = { ...(c as Record<string, unknown>) };
      for (const k of CYCLE_KEYS_V2) delete cycle[k];
      return cycle;
    });
  return top;
}
