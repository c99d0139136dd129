/**
 * Independent reference model of BILLING-RULES.md section 8 (`preview`), written from the spec
 * alone (not from billing/). Clarity over speed: the scenario is simulated as a single stream of
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
  alerts: { thresholdPercent: number; at: string }[];
}

export interface RefOutput {
  cycles: RefCycle[];
  rejected: { callId: string | null; at: string; reason: string }[];
  duplicates: number;
}

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

type Op =
  | { at: number; type: 'call'; event: unknown }
  | { at: number; type: 'purchase'; purchaseId: string; credits: bigint; recurring: boolean }
  | { at: number; type: 'cancelPurchase'; purchaseId: string }
  | { at: number; type: 'changePlan'; plan: Plan; effective: 'now' | 'next-cycle' | null };

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
  const ops: Op[] = [];
  for (const o of input.operations as unknown[]) {
    if (!isObject(o)) malformed('operation');
    const at = parseInstant(o.at);
    if (at === null) malformed('operation.at');
    if (at < createdAt || at > until) malformed('operation.at out of [createdAt, until]');
    switch (o.type) {
      case 'call':
        ops.push({ at, type: 'call', event: o.event });
        break;
      case 'purchase': {
        if (typeof o.purchaseId !== 'string') malformed('purchase.purchaseId');
        const credits = parseCredits(o.credits);
        if (credits === null) malformed('purchase.credits');
        let recurring = false;
        if (has(o, 'recurring')) {
          if (typeof o.recurring !== 'boolean') malformed('purchase.recurring');
          recurring = o.recurring;
        }
        ops.push({ at, type: 'purchase', purchaseId: o.purchaseId, credits, recurring });
        break;
      }
      case 'cancelPurchase':
        if (typeof o.purchaseId !== 'string') malformed('cancelPurchase.purchaseId');
        ops.push({ at, type: 'cancelPurchase', purchaseId: o.purchaseId });
        break;
      case 'changePlan': {
        const p = parsePlan(o.plan);
        let effective: 'now' | 'next-cycle' | null = null;
        if (has(o, 'effective')) {
          if (o.effective !== 'now' && o.effective !== 'next-cycle')
            malformed('changePlan.effective');
          effective = o.effective;
        }
        ops.push({ at, type: 'changePlan', plan: p, effective });
        break;
      }
      default:
        malformed('operation.type');
    }
  }
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
// Simulation
// ---------------------------------------------------------------------------------------------

interface Cycle {
  index: number;
  start: number;
  end: number;
  fullStart: number;
  allowance: bigint;
  purchased: bigint;
  used: bigint;
  billable: bigint;
  late: number;
  alerts: { thresholdPercent: number; at: number }[];
  fired: Set<number>; // percent values currently disarmed (fired and not re-armed)
}

interface Purchase {
  credits: bigint;
  recurring: boolean;
  cancelled: boolean;
}

export function referencePreview(input: unknown, options: RefOptions = {}): RefOutput {
  const s = parseScenario(input);

  const cycleSpans = calendar(s.timeZone, s.createdAt, s.anchor, s.until);

  // --- state ---
  const cycles: Cycle[] = [];
  /** Plan history in order applied; effective instants are non-decreasing. */
  const planHistory: { from: number; plan: Plan }[] = [{ from: s.createdAt, plan: s.plan }];
  let pending: Plan | null = null;
  const purchases = new Map<string, Purchase>();
  const purchaseOrder: string[] = [];
  const accepted = new Map<string, CallEvent>();
  const rejected: RefOutput['rejected'] = [];
  let duplicates = 0;

  const planAt = (t: number): Plan => {
    let p: Plan | null = null;
    for (const h of planHistory) if (h.from <= t) p = h.plan;
    if (p === null) throw new Error('model: no plan before ' + t);
    return p;
  };
  const cycleContaining = (t: number): Cycle => {
    const c = cycles.find((x) => x.start <= t && t < x.end);
    if (!c) throw new Error('model: no started cycle contains ' + formatInstant(t));
    return c;
  };

  /** Section 7, for the open cycle `c`, after a change at instant `at`. */
  const evaluateAlerts = (c: Cycle, at: number): void => {
    const plan = planAt(at);
    const available = c.allowance + c.purchased;
    const percents = new Set(plan.thresholds);
    if (options.rearmAllPercents ?? true) for (const p of c.fired) percents.add(p);
    for (const p of [...percents].sort((x, y) => x - y)) {
      const bp = BigInt(p);
      const reached = available > 0n && c.used * 100n >= bp * available;
      if (!c.fired.has(p)) {
        if (reached && plan.thresholds.includes(p)) {
          c.alerts.push({ thresholdPercent: p, at });
          c.fired.add(p);
        }
      } else if (c.used * 100n < bp * available) {
        c.fired.delete(p); // re-armed
      }
    }
  };

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
    let purchased = 0n;
    if (index > 0)
      for (const id of purchaseOrder) {
        const p = purchases.get(id)!;
        if (p.recurring && !p.cancelled) purchased += p.credits;
      }
    const c: Cycle = {
      index,
      start: span.start,
      end: span.end,
      fullStart: span.fullStart,
      allowance,
      purchased,
      used: 0n,
      billable: 0n,
      late: 0,
      alerts: [],
      fired: new Set(),
    };
    cycles.push(c);
    evaluateAlerts(c, span.start);
  };

  const applyCall = (at: number, raw: unknown): void => {
    const reject = (reason: string): void => {
      const callId = isObject(raw) && typeof raw.callId === 'string' ? raw.callId : null;
      rejected.push({ callId, at: formatInstant(at), reason });
    };
    // event_too_large: compact JSON encoding over 32,768 bytes of UTF-8
    const json = JSON.stringify(raw);
    if (json !== undefined && Buffer.byteLength(json, 'utf8') > 32_768)
      return reject('event_too_large');
    const e = parseCallEvent(raw);
    if (e === null) return reject('invalid_event');
    if (e.accountId !== s.accountId) return reject('account_mismatch');
    const first = accepted.get(e.callId);
    if (first !== undefined) {
      if (sameContent(first, e)) {
        duplicates += 1;
        return;
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
    target.used += creditsOf(billed, plan);
    target.billable += billed;
    if (isLate && billed > 0n) target.late += 1;
    const open = cycleContaining(at);
    if (target === open) evaluateAlerts(open, at);
  };

  const applyPurchase = (op: Extract<Op, { type: 'purchase' }>): void => {
    if (purchases.has(op.purchaseId)) return; // idempotent: an earlier purchase used this id
    purchases.set(op.purchaseId, {
      credits: op.credits,
      recurring: op.recurring,
      cancelled: false,
    });
    purchaseOrder.push(op.purchaseId);
    const c = cycleContaining(op.at);
    c.purchased += op.credits;
    evaluateAlerts(c, op.at);
  };

  const applyCancel = (op: Extract<Op, { type: 'cancelPurchase' }>): void => {
    const p = purchases.get(op.purchaseId);
    if (p === undefined || p.cancelled) return;
    p.cancelled = true;
  };

  const applyChangePlan = (op: Extract<Op, { type: 'changePlan' }>): void => {
    const current = planAt(op.at);
    const effective =
      op.effective ?? (op.plan.allowance > current.allowance ? 'now' : 'next-cycle');
    pending = null; // a pending next-cycle change is replaced by any later request
    if (effective === 'next-cycle') {
      pending = op.plan;
      return;
    }
    const c = cycleContaining(op.at);
    const delta =
      ((op.plan.allowance - current.allowance) * BigInt(c.end - op.at)) /
      BigInt(c.end - c.fullStart);
    const next = c.allowance + delta;
    c.allowance = next > 0n ? next : 0n;
    planHistory.push({ from: op.at, plan: op.plan });
    evaluateAlerts(c, op.at);
  };

  // --- event stream: boundaries before operations at the same instant; ops stable by `at` ---
  const ordered = s.ops.map((op, i) => ({ op, i })).sort((x, y) => x.op.at - y.op.at || x.i - y.i);
  startCycle(0);
  let nextCycle = 1;
  for (const { op } of ordered) {
    while (nextCycle < cycleSpans.length && cycleSpans[nextCycle]!.start <= op.at)
      startCycle(nextCycle++);
    if (op.type === 'call') applyCall(op.at, op.event);
    else if (op.type === 'purchase') applyPurchase(op);
    else if (op.type === 'cancelPurchase') applyCancel(op);
    else applyChangePlan(op);
  }
  while (nextCycle < cycleSpans.length && cycleSpans[nextCycle]!.start <= s.until)
    startCycle(nextCycle++);
  if (cycles.length !== cycleSpans.length) throw new Error('model: cycles not all started');

  // --- statements as of `until` ---
  const out: RefCycle[] = cycles.map((c) => {
    const plan = planAt(c.end - 1); // a change effective at the boundary belongs to the next cycle
    const closed = c.end + s.graceMs <= s.until;
    const available = c.allowance + c.purchased;
    const overage = c.used > available ? c.used - available : 0n;
    let charge: bigint | null = null;
    if (closed) {
      const n = overage * plan.priceMicros * 10n ** CURRENCY_EXPONENT[plan.currency]!;
      charge = (n + 500_000_000n) / 1_000_000_000n; // round half up of n / 10^9, n >= 0
    }
    return {
      index: c.index,
      start: formatInstant(c.start),
      end: formatInstant(c.end),
      closed,
      planId: plan.id,
      allowanceMillicredits: c.allowance,
      purchasedMillicredits: c.purchased,
      usedMillicredits: c.used,
      billableSeconds: Number(c.billable),
      lateAdjustments: c.late,
      overageMillicredits: overage,
      overageChargeMinor: charge,
      alerts: c.alerts.map((a) => ({
        thresholdPercent: a.thresholdPercent,
        at: formatInstant(a.at),
      })),
    };
  });
  return { cycles: out, rejected, duplicates };
}
