/**
 * Properties of the billing rules, checked with fast-check on random accounts, plans and
 * operation sequences (BILLING-RULES.md sections 4 to 8):
 * - cycles tile time, on the anchor day and time (an independent Intl-based oracle for DST);
 * - each cycle's statement agrees with an independent account of it (calls booked to it, purchases
 *   and recurring grants, allowance by the rules), used = allowance consumed + purchases consumed +
 *   overage, and nothing is carried into the next cycle;
 * - permuting calls that arrive within one cycle changes no total;
 * - applying an event twice equals applying it once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstCycleSpan,
  makeCalendar,
  nextCycleSpan,
  type CycleSpan,
} from '../../billing/calendar.js';
import { classifyCall, InMemoryCallDedup } from '../../billing/call-event.js';
import {
  applyOperation,
  createLedger,
  statementOf,
  type CycleStatement,
  type LedgerEffect,
  type LedgerOperation,
  type LedgerState,
} from '../../billing/ledger.js';
import type { Plan } from '../../billing/plan.js';
import { runPreview, type PreviewOutput } from '../../billing/preview.js';
import { parseScenario, type Scenario } from '../../billing/scenario.js';
import { CURRENCY_EXPONENTS, daysInMonth } from '../../billing/units.js';
import { DAY, HOUR, iso } from './builders.js';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// An independent oracle for wall-clock times, built on Intl (not on the Temporal polyfill).

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at instant `t`, in ms. */
function offsetAt(timeZone: string, t: number): number {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const seconds = Math.floor(t / 1000) * 1000;
  const v = [0, 0, 0, 0, 0, 0];
  for (const part of f.formatToParts(seconds)) {
    const slot = PART_SLOTS[part.type];
    if (slot !== undefined) v[slot] = Number(part.value);
  }
  return Date.UTC(v[0]!, v[1]! - 1, v[2], v[3], v[4], v[5]) - seconds;
}

const PART_SLOTS: Record<string, number> = {
  year: 0,
  month: 1,
  day: 2,
  hour: 3,
  minute: 4,
  second: 5,
};

/** Wall-clock fields of instant `t` in a zone (via the Intl offset). */
function wallOf(timeZone: string, t: number) {
  const local = t + offsetAt(timeZone, t);
  const d = new Date(local);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    timeMs: local - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
  };
}

/**
 * The instant of a wall-clock time with Temporal's `compatible` rule, computed independently:
 * the earlier of the instants that show that wall time, or, in a gap, the wall time read with
 * the offset in force before the gap (which moves it forward by the gap).
 */
function compatibleInstant(
  timeZone: string,
  wall: number,
): { at: number; inGap: boolean; gap: number } {
  const before = offsetAt(timeZone, wall - 36 * HOUR);
  const after = offsetAt(timeZone, wall + 36 * HOUR);
  const candidates = [before, after]
    .map((offset) => ({ at: wall - offset, offset }))
    .filter((c) => offsetAt(timeZone, c.at) === c.offset)
    .map((c) => c.at);
  if (candidates.length > 0) return { at: Math.min(...candidates), inGap: false, gap: 0 };
  return { at: wall - before, inGap: true, gap: after - before };
}

/** Walks `count` cycles from the first. */
function walk(
  timeZone: string,
  createdAt: number,
  anchor: Anchor | null,
  count: number,
): CycleSpan[] {
  const calendar = makeCalendar(
    timeZone,
    createdAt,
    anchor === null ? null : { year: 2000, month: 1, ...anchor },
  );
  const spans = [firstCycleSpan(calendar, createdAt)];
  while (spans.length < count) spans.push(nextCycleSpan(calendar, spans[spans.length - 1]!));
  return spans;
}

interface Anchor {
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** The boundary the rules give for a month: the anchor day clamped, at the anchor time. */
function expectedBoundary(timeZone: string, year: number, month: number, anchor: Anchor) {
  const day = Math.min(anchor.day, daysInMonth(year, month));
  const wall = Date.UTC(
    year,
    month - 1,
    day,
    anchor.hour,
    anchor.minute,
    anchor.second,
    anchor.millisecond,
  );
  return { day, ...compatibleInstant(timeZone, wall) };
}

const monthAfter = (year: number, month: number): [number, number] =>
  month === 12 ? [year + 1, 1] : [year, month + 1];

/** Fails the test with a message (plain comparisons: this runs for 10^5 boundaries). */
function check(condition: boolean, message: () => string): void {
  if (!condition) expect.fail(message());
}

/** Checks every cycle of a walk against the rules. */
function checkTiling(
  timeZone: string,
  createdAt: number,
  anchor: Anchor,
  spans: CycleSpan[],
  pinned: boolean,
) {
  const where = () => `${timeZone}, created ${iso(createdAt)}, anchor ${JSON.stringify(anchor)}`;
  const first = spans[0]!;
  check(first.start === createdAt, () => `first cycle does not start at creation: ${where()}`);
  check(
    first.fullStart <= createdAt && createdAt < first.end,
    () => `creation outside [fullStart, end): ${where()}`,
  );
  if (pinned)
    check(first.fullStart === createdAt, () => `no-anchor first cycle is partial: ${where()}`);

  // The month of the first boundary after creation (no gap in these zones crosses midnight).
  let { year, month } = wallOf(timeZone, first.end);
  if (!pinned) {
    const [py, pm] = month === 1 ? [year - 1, 12] : [year, month - 1];
    const expected = expectedBoundary(timeZone, py, pm, anchor).at;
    check(
      first.fullStart === expected,
      () => `fullStart ${iso(first.fullStart)} != ${iso(expected)}: ${where()}`,
    );
  }
  const anchorTime =
    ((anchor.hour * 60 + anchor.minute) * 60 + anchor.second) * 1000 + anchor.millisecond;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (i > 0) {
      const previous = spans[i - 1]!;
      check(span.start === previous.end, () => `gap or overlap before cycle ${i}: ${where()}`);
      check(span.fullStart === span.start, () => `cycle ${i} is partial: ${where()}`);
      const length = span.end - span.start;
      check(
        length >= 28 * DAY - HOUR && length <= 31 * DAY + HOUR,
        () => `cycle ${i} lasts ${length} ms: ${where()}`,
      );
    }
    const expected = expectedBoundary(timeZone, year, month, anchor);
    check(
      span.end === expected.at,
      () => `${year}-${month}: boundary ${iso(span.end)}, expected ${iso(expected.at)}: ${where()}`,
    );
    // Local day = min(anchor day, month length); local time = anchor time, or moved by the gap.
    const wall = wallOf(timeZone, span.end);
    check(
      wall.year === year && wall.month === month && wall.day === expected.day,
      () => `${iso(span.end)} is not on day ${expected.day} of ${year}-${month}: ${where()}`,
    );
    const time = expected.inGap ? anchorTime + expected.gap : anchorTime;
    check(wall.timeMs === time, () => `${iso(span.end)} is not at the anchor time: ${where()}`);
    [year, month] = monthAfter(year, month);
  }
}

type Time = { hour: number; minute: number; second: number };

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Chatham',
];

/** Times of day that fall in each zone's DST gap or overlap, mixed with random ones. */
const DST_TIMES: Record<string, [number, number][]> = {
  'Europe/Berlin': [
    [2, 30],
    [2, 0],
  ],
  'America/New_York': [
    [2, 30],
    [1, 30],
  ],
  'Australia/Sydney': [
    [2, 30],
    [2, 0],
  ],
  'Asia/Kolkata': [
    [0, 0],
    [23, 59],
  ],
  'Pacific/Chatham': [
    [2, 50],
    [3, 0],
  ],
};

describe('cycles tile time', () => {
  it.each(ZONES)(
    '%s: every anchor day 1-31, 30 years (360 cycles), no gap or overlap, on the anchor day and time',
    (zone) => {
      const time = fc.oneof(
        fc.constantFrom(...DST_TIMES[zone]!).map(([hour, minute]) => ({ hour, minute, second: 0 })),
        fc.record({
          hour: fc.integer({ min: 0, max: 23 }),
          minute: fc.integer({ min: 0, max: 59 }),
          second: fc.integer({ min: 0, max: 59 }),
        }),
      );
      fc.assert(
        fc.property(
          time,
          fc.integer({ min: 1995, max: 2040 }),
          fc.integer({ min: 0, max: 365 * DAY - 1 }),
          (t, year, offset) => {
            const createdAt = Date.UTC(year, 0, 1) + offset;
            for (let day = 1; day <= 31; day++) {
              const anchor = { day, ...t, millisecond: 0 };
              checkTiling(zone, createdAt, anchor, walk(zone, createdAt, anchor, 360), false);
            }
          },
        ),
        {
          numRuns: 3,
          // Always include the zone's gap and overlap times, starting in 2026 and in 1995.
          examples: DST_TIMES[zone]!.map(([hour, minute], i): [Time, number, number] => [
            { hour, minute, second: 0 },
            i === 0 ? 2026 : 1995,
            i * 40 * DAY,
          ]),
        },
      );
    },
  );

  it('without an anchor: createdAt is the first boundary and later ones keep its local day and time (ms included)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES, 'Australia/Lord_Howe'),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        (zone, createdAt) => {
          const wall = wallOf(zone, createdAt);
          const anchor = {
            day: wall.day,
            hour: Math.floor(wall.timeMs / HOUR),
            minute: Math.floor((wall.timeMs % HOUR) / 60_000),
            second: Math.floor((wall.timeMs % 60_000) / 1000),
            millisecond: wall.timeMs % 1000,
          };
          const spans = walk(zone, createdAt, null, 60);
          expect(spans[0]!.start).toBe(createdAt);
          expect(spans[0]!.fullStart).toBe(createdAt);
          checkTiling(zone, createdAt, anchor, spans, true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('second occurrence of a repeated hour without an anchor: createdAt is still the first boundary', () => {
    // 01:30Z on 25 Oct 2026 is the second 02:30 in Berlin; 06:30Z on 1 Nov 2026 the second 01:30 in New York.
    for (const [zone, created] of [
      ['Europe/Berlin', Date.UTC(2026, 9, 25, 1, 30)],
      ['America/New_York', Date.UTC(2026, 10, 1, 6, 30)],
      ['Australia/Sydney', Date.UTC(2026, 3, 4, 16, 30)],
    ] as const) {
      const spans = walk(zone, created, null, 3);
      expect(spans[0]!.fullStart).toBe(created);
      expect(spans[0]!.start).toBe(created);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Random scenarios: valid calls (by construction), purchases, cancels and plan changes.

const START = Date.UTC(2026, 0, 1);
const SPAN = 100 * DAY;

const planArb = fc.record({
  id: fc.constantFrom('basic', 'growth', 'pro'),
  allowanceCredits: fc.constantFrom('0', '0.5', '1', '5', '10', '100'),
  creditsPerMinute: fc.constantFrom('0', '0.333', '1', '2.5', '10'),
  rounding: fc.oneof(
    fc.constant({ mode: 'second' }),
    fc.constant({ mode: 'minute' }),
    fc.record({
      mode: fc.constant('block'),
      firstBlockSeconds: fc.constantFrom(0, 30, 60),
      blockSeconds: fc.constantFrom(1, 6, 60),
    }),
  ),
  minimumSeconds: fc.constantFrom(0, 30, 60),
  freeSeconds: fc.constantFrom(0, 5, 10),
  billOutbound: fc.boolean(),
  overagePricePerCredit: fc.constantFrom('0.12', '0.01', '1', '0.000001', '15.5'),
  currency: fc.constantFrom('USD', 'JPY', 'EUR', 'KRW'),
  alertThresholdsPercent: fc.subarray([25, 50, 80, 100, 150]),
});

const accountArb = fc.record({
  timeZone: fc.constantFrom(
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'Australia/Sydney',
    'Asia/Kolkata',
  ),
  createdOffset: fc.integer({ min: 0, max: 40 * DAY }),
  anchor: fc.option(
    fc.record({
      day: fc.integer({ min: 1, max: 31 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.constantFrom(0, 30),
    }),
    { nil: null },
  ),
  graceSeconds: fc.constantFrom(0, 600, 3600, 86_400),
});

/** A call, its times as fractions so that any arrival gets a valid event. */
const callShapeArb = fc.record({
  arrival: fc.double({ min: 0, max: 1, noNaN: true }),
  answered: fc.double({ min: 0, max: 1, noNaN: true }),
  durationMs: fc.oneof(
    fc.integer({ min: 0, max: 3_600_000 }),
    fc.integer({ min: 0, max: 120 }).map((s) => s * 1000),
  ),
  status: fc.constantFrom(
    'completed',
    'completed',
    'completed',
    'no-answer',
    'busy',
    'failed',
    'canceled',
  ),
  answeredWhenNotCompleted: fc.boolean(),
  direction: fc.constantFrom('inbound', 'inbound', 'outbound'),
  handoff: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  holdSeconds: fc.constantFrom(0, 0, 5, 30),
  systemSeconds: fc.constantFrom(0, 0, 2),
  child: fc.constantFrom(false, false, false, true),
});

type CallShape = typeof callShapeArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * A valid event for `callId` arriving at `arrival`: answered no earlier than the account's
 * creation or 30 days before the arrival, and ending at most `skewMs` after the arrival.
 */
function eventFor(
  callId: string,
  shape: CallShape,
  createdAt: number,
  arrival: number,
  lo: number,
  hi: number,
): Json {
  const duration = Math.min(shape.durationMs, Math.max(0, hi - lo));
  const answered = lo + Math.floor(shape.answered * Math.max(0, hi - lo - duration));
  const ended = answered + duration;
  const completed = shape.status === 'completed';
  const hasAnswer = completed || shape.answeredWhenNotCompleted;
  expect(answered).toBeGreaterThanOrEqual(createdAt);
  expect(ended - arrival).toBeLessThanOrEqual(300_000);
  return {
    callId,
    accountId: 'acme',
    direction: shape.direction,
    status: shape.status,
    answeredAt: hasAnswer ? iso(answered) : null,
    endedAt: iso(ended),
    handoffAt:
      shape.handoff === null || !hasAnswer
        ? null
        : iso(answered + Math.floor(shape.handoff * duration)),
    holdSeconds: shape.holdSeconds,
    systemSeconds: shape.systemSeconds,
    parentCallId: shape.child ? 'parent' : null,
  };
}

const otherOpArb = fc.oneof(
  fc.record({
    type: fc.constant('purchase'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    purchaseId: fc.constantFrom('p0', 'p1', 'p2', 'p3'),
    credits: fc.constantFrom('0', '1', '2.5', '10'),
    recurring: fc.option(fc.boolean(), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('cancelPurchase'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    purchaseId: fc.constantFrom('p0', 'p1', 'p2', 'p3'),
  }),
  fc.record({
    type: fc.constant('changePlan'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    plan: planArb,
    effective: fc.constantFrom('now', 'next-cycle', undefined),
  }),
);

const scenarioArb = fc.record({
  account: accountArb,
  plan: planArb,
  calls: fc.array(callShapeArb, { maxLength: 25 }),
  others: fc.array(otherOpArb, { maxLength: 10 }),
});

type ScenarioShape = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function accountJson(shape: ScenarioShape['account']): Json & { createdAt: string } {
  const { anchor } = shape;
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    id: 'acme',
    timeZone: shape.timeZone,
    createdAt: iso(START + shape.createdOffset),
    ...(anchor === null
      ? {}
      : {
          billingAnchor: `2026-01-${pad(anchor.day)}T${pad(anchor.hour)}:${pad(anchor.minute)}:00`,
        }),
    graceSeconds: shape.graceSeconds,
  };
}

/** The scenario JSON of a shape: calls c0, c1, ... arriving anywhere in [createdAt, until]. */
function buildScenario(shape: ScenarioShape): Json & { operations: Json[] } {
  const createdAt = START + shape.account.createdOffset;
  const until = createdAt + SPAN;
  const at = (fraction: number) => createdAt + Math.floor(fraction * SPAN);
  const calls = shape.calls.map((call, i) => {
    const arrival = at(call.arrival);
    const lo = Math.max(createdAt, arrival - 30 * DAY);
    const event = eventFor(`c${i}`, call, createdAt, arrival, lo, arrival + 300_000);
    return { at: iso(arrival), type: 'call', event };
  });
  const others = shape.others.map((op) => ({ ...op, at: iso(at(op.at)) }));
  return {
    account: accountJson(shape.account),
    plan: shape.plan,
    until: iso(until),
    operations: [...calls, ...others],
  };
}

// ---------------------------------------------------------------------------------------------
// Driving the ledger the way `preview` does, observing every cycle at its start, beside a model
// of each cycle kept from the operations alone (and the calendar, checked above), not the ledger.

/** A cycle as the rules make it from the operations; only calls' credits come from the ledger. */
interface ModelCycle {
  index: number;
  span: CycleSpan;
  /**
   * The allowance of the plan in effect at the start (prorated by time, rounded down, in a
   * partial first cycle), then adjusted by each `now` plan change during the cycle.
   */
  allowance: bigint;
  /** The recurring grants active at the start plus every purchase bought during the cycle. */
  purchased: bigint;
  /** The credits of the calls the ledger reported booked to this cycle (`callBooked` effects). */
  booked: bigint;
}

interface Observation {
  /** Cycles as they were at the instant they started (before any operation at that instant). */
  started: {
    index: number;
    allowance: bigint;
    grants: bigint;
    used: bigint;
    alerts: number;
    expectedAllowance: bigint;
    expectedGrants: bigint;
  }[];
  closed: CycleStatement[];
  open: CycleStatement[];
  booked: Extract<LedgerEffect, { type: 'callBooked' }>[];
  /** Every cycle from the first through the one holding `until`. */
  model: ModelCycle[];
}

function drive(scenario: Scenario): Observation {
  const { account } = scenario;
  const facts = {
    accountId: account.id,
    createdAt: account.createdAt,
    maxLateSeconds: account.maxLateSeconds,
  };
  const dedup = new InMemoryCallDedup();
  const bought = new Set<string>();
  const observation: Observation = { started: [], closed: [], open: [], booked: [], model: [] };
  const { model } = observation;
  // The plan in effect (with a pending next-cycle change) and the recurring purchases active.
  let modelPlan = scenario.plan;
  let modelPending: Plan | null = null;
  let modelRecurring: { id: string; mc: bigint }[] = [];
  const calendar = makeCalendar(account.timeZone, account.createdAt, account.billingAnchor);
  const current = () => model[model.length - 1]!;
  const startModelCycle = (span: CycleSpan) => {
    if (modelPending !== null) {
      modelPlan = modelPending;
      modelPending = null;
    }
    const full = BigInt(modelPlan.allowanceMillicredits);
    model.push({
      index: model.length,
      span,
      allowance:
        span.start === span.fullStart
          ? full
          : (full * BigInt(span.end - span.start)) / BigInt(span.end - span.fullStart),
      purchased: modelRecurring.reduce((sum, g) => sum + g.mc, 0n),
      booked: 0n,
    });
  };
  /** Starts every model cycle whose boundary is at or before `t`. */
  const advanceModel = (t: number) => {
    while (current().span.end <= t) startModelCycle(nextCycleSpan(calendar, current().span));
  };
  startModelCycle(firstCycleSpan(calendar, account.createdAt));

  let { state } = createLedger(account, scenario.plan);
  const apply = (op: LedgerOperation) => {
    const result = applyOperation(state, op);
    state = result.state;
    for (const e of result.effects) {
      if (e.type === 'cycleClosed') observation.closed.push(e.statement);
      if (e.type === 'callBooked') {
        observation.booked.push(e);
        const cycle = model[e.cycleIndex];
        if (cycle !== undefined) cycle.booked += BigInt(e.millicredits);
      }
    }
    return result.effects;
  };
  const observeStarts = (effects: LedgerEffect[], now: LedgerState) => {
    for (const e of effects) {
      if (e.type !== 'cycleStarted') continue;
      const cycle = now.cycles.find((c) => c.index === e.cycleIndex);
      const closedStatement = observation.closed.find((s) => s.index === e.cycleIndex);
      const figures = cycle
        ? {
            allowance: BigInt(cycle.allowanceMillicredits),
            grants: cycle.additions.reduce((sum, g) => sum + BigInt(g.millicredits), 0n),
            used: BigInt(cycle.usedMillicredits),
            alerts: cycle.alerts.length,
          }
        : {
            allowance: BigInt(closedStatement!.allowanceMillicredits),
            grants: BigInt(closedStatement!.purchasedMillicredits),
            used: BigInt(closedStatement!.usedMillicredits),
            alerts: closedStatement!.alerts.length,
          };
      // Called before any operation at this instant: the model cycle is still as it started.
      const expected = model[e.cycleIndex];
      observation.started.push({
        index: e.cycleIndex,
        ...figures,
        // -1: a cycle the model never started, which no figure equals.
        expectedAllowance: expected?.allowance ?? -1n,
        expectedGrants: expected?.purchased ?? -1n,
      });
    }
  };

  for (const op of [...scenario.operations].sort((a, b) => a.at - b.at)) {
    // Advance first, so every cycle that starts is seen before an operation at its instant.
    const effects = apply({ type: 'advance', at: op.at });
    advanceModel(op.at);
    observeStarts(effects, state);
    switch (op.type) {
      case 'call': {
        const result = classifyCall(op.event, facts, op.at, dedup);
        if (result.outcome === 'accepted')
          apply({ type: 'bookCall', at: op.at, call: result.call });
        break;
      }
      case 'purchase':
        if (bought.has(op.purchaseId)) break;
        bought.add(op.purchaseId);
        current().purchased += BigInt(op.credits);
        if (op.recurring) modelRecurring.push({ id: op.purchaseId, mc: BigInt(op.credits) });
        apply({
          type: 'purchase',
          at: op.at,
          purchaseId: op.purchaseId,
          millicredits: op.credits,
          recurring: op.recurring,
        });
        break;
      case 'cancelPurchase':
        modelRecurring = modelRecurring.filter((g) => g.id !== op.purchaseId);
        apply({ type: 'cancelPurchase', at: op.at, purchaseId: op.purchaseId });
        break;
      case 'changePlan': {
        const delta =
          BigInt(op.plan.allowanceMillicredits) - BigInt(modelPlan.allowanceMillicredits);
        const timing = op.effective ?? (delta > 0n ? 'now' : 'next-cycle');
        modelPending = null;
        if (timing === 'now') {
          // Prorated by the time left in the full cycle, truncated toward zero, floored at 0.
          const { span } = current();
          const adjusted =
            current().allowance +
            (delta * BigInt(span.end - op.at)) / BigInt(span.end - span.fullStart);
          current().allowance = adjusted > 0n ? adjusted : 0n;
          modelPlan = op.plan;
        } else {
          modelPending = op.plan;
        }
        apply({ type: 'changePlan', at: op.at, plan: op.plan, effective: op.effective ?? null });
        break;
      }
    }
  }
  const effects = apply({ type: 'advance', at: scenario.until });
  advanceModel(scenario.until);
  observeStarts(effects, state);
  observation.open = state.cycles.map((c) => statementOf(state, c, false));
  return observation;
}

function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  const q = numerator / denominator;
  return (numerator - q * denominator) * 2n >= denominator ? q + 1n : q;
}

describe('conservation of credits', () => {
  it('every cycle once; each statement agrees with the model (calls booked to it, purchases, allowance); used = allowance consumed + purchases consumed (in order) + overage; the charge follows section 6', () => {
    fc.assert(
      fc.property(scenarioArb, (shape) => {
        const scenario = parseScenario(buildScenario(shape));
        const { closed, open, booked, model } = drive(scenario);
        const statements = [...closed, ...open];
        // No cycle lost, duplicated or out of order: closed ones, then those still open.
        expect(statements.map((s) => [s.index, s.start, s.end])).toEqual(
          model.map((c) => [c.index, c.span.start, c.span.end]),
        );
        // Each call is booked to the cycle holding its booking instant while that cycle is not
        // closed (arrival before its end + grace), else late to the cycle holding its arrival.
        const graceMs = scenario.account.graceSeconds * 1000;
        const holding = (t: number) => model.find((c) => c.span.start <= t && t < c.span.end);
        for (const b of booked) {
          const home = holding(b.bookedAt)!;
          const late = b.at >= home.span.end + graceMs;
          expect([b.cycleIndex, b.late]).toEqual([late ? holding(b.at)!.index : home.index, late]);
        }
        let totalUsed = 0n;
        for (const s of statements) {
          const cycle = model[s.index]!;
          // The model's figures, none of them read from the statement.
          const used = cycle.booked;
          const allowance = cycle.allowance;
          const purchased = cycle.purchased;
          const overage = BigInt(s.overageMillicredits);
          totalUsed += BigInt(s.usedMillicredits);
          expect({
            used: BigInt(s.usedMillicredits),
            purchased: BigInt(s.purchasedMillicredits),
            allowance: BigInt(s.allowanceMillicredits),
            available: BigInt(s.availableMillicredits),
          }).toEqual({ used, purchased, allowance, available: allowance + purchased });
          expect(allowance).toBeGreaterThanOrEqual(0n);
          // Allowance first, then purchases; what is left over is the overage, nothing else.
          const fromAllowance = used < allowance ? used : allowance;
          const fromPurchases = used - fromAllowance < purchased ? used - fromAllowance : purchased;
          expect(overage).toBeGreaterThanOrEqual(0n);
          expect(fromAllowance + fromPurchases + overage).toBe(used);
          if (overage > 0n) expect(fromAllowance + fromPurchases).toBe(allowance + purchased);
          if (s.closed) {
            const exponent = 10n ** BigInt(CURRENCY_EXPONENTS[s.currency]);
            expect(s.overageChargeMinor).toBe(
              roundHalfUp(
                overage * BigInt(s.overagePriceMicros) * exponent,
                1_000_000_000n,
              ).toString(),
            );
          } else {
            expect(s.overageChargeMinor).toBeNull();
          }
        }
        // Every booked credit is in exactly one statement.
        expect(totalUsed).toBe(booked.reduce((sum, b) => sum + BigInt(b.millicredits), 0n));
      }),
      { numRuns: 250 },
    );
  });

  it('used, billable seconds and late adjustments of a cycle are exactly the sums of the calls booked to it', () => {
    fc.assert(
      fc.property(scenarioArb, (shape) => {
        const observation = drive(parseScenario(buildScenario(shape)));
        for (const s of [...observation.closed, ...observation.open]) {
          const mine = observation.booked.filter((b) => b.cycleIndex === s.index);
          expect(BigInt(s.usedMillicredits)).toBe(
            mine.reduce((sum, b) => sum + BigInt(b.millicredits), 0n),
          );
          expect(s.billableSeconds).toBe(mine.reduce((sum, b) => sum + b.billedSeconds, 0));
          expect(s.lateAdjustments).toBe(mine.filter((b) => b.late && b.billedSeconds > 0).length);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('nothing is carried over: each later cycle starts with exactly its plan allowance + its recurring grants, nothing used, no alerts', () => {
    fc.assert(
      fc.property(scenarioArb, (shape) => {
        const observation = drive(parseScenario(buildScenario(shape)));
        for (const start of observation.started) {
          expect(start.used).toBe(0n);
          expect(start.alerts).toBe(0);
          expect(start.allowance).toBe(start.expectedAllowance);
          expect(start.grants).toBe(start.expectedGrants);
        }
      }),
      { numRuns: 250 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Order and repetition of calls.

/** Cycle figures without the alerts (which depend on the order in which usage grew). */
const totals = (out: PreviewOutput) => ({
  cycles: out.cycles.map(({ alerts: _alerts, ...rest }) => rest),
  rejected: out.rejected,
  duplicates: out.duplicates,
});

describe('order independence', () => {
  it('permuting calls that arrive within one cycle (purchases and plan changes kept in place) changes no total', () => {
    const arb = scenarioArb.chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        cycle: fc.constantFrom(1, 2),
        permuted: fc.array(
          fc.record({
            call: callShapeArb,
            slot: fc.double({ min: 0, max: 1, noNaN: true }),
            resend: fc.boolean(),
          }),
          { minLength: 2, maxLength: 12 },
        ),
        keys: fc.array(fc.integer(), { minLength: 24, maxLength: 24 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, cycle, permuted, keys }) => {
        const base = buildScenario(shape);
        const parsed = parseScenario(base);
        const spans = walkAccount(parsed);
        const span = spans[cycle]!;
        // Arrivals after the previous cycle closed, so lateness does not depend on the order.
        const from = span.start + parsed.account.graceSeconds * 1000;
        const to = Math.min(span.end - 1, parsed.until);
        fc.pre(to - from > 1000);
        const slots = permuted.map((p) => from + Math.floor(p.slot * (to - from)));
        const first = Math.min(...slots);
        const last = Math.max(...slots);
        const lo = Math.max(parsed.account.createdAt, last - 30 * DAY);
        fc.pre(first - lo > 3_600_000);
        // Events end before the earliest arrival, so each books at its answer wherever it lands.
        const events: Json[] = [];
        permuted.forEach((p, i) => {
          const event = eventFor(`q${i}`, p.call, parsed.account.createdAt, first, lo, first);
          events.push(event);
          if (p.resend) events.push(event); // an identical resend: a duplicate wherever it lands
        });
        const order = events.map((_, i) => i);
        const shuffled = [...order].sort((a, b) => keys[a]! - keys[b]! || a - b);
        const allSlots = events.map((_, i) => slots[i % slots.length]!).sort((a, b) => a - b);
        const ops = (sequence: number[]) =>
          sequence.map((eventIndex, k) => ({
            at: iso(allSlots[k]!),
            type: 'call',
            event: events[eventIndex],
          }));
        const inOrder = runPreview({ ...base, operations: [...base.operations, ...ops(order)] });
        const permutedOut = runPreview({
          ...base,
          operations: [...base.operations, ...ops(shuffled)],
        });
        expect(totals(permutedOut)).toEqual(totals(inOrder));
      }),
      { numRuns: 150 },
    );
  });
});

function walkAccount(scenario: Scenario): CycleSpan[] {
  const calendar = makeCalendar(
    scenario.account.timeZone,
    scenario.account.createdAt,
    scenario.account.billingAnchor,
  );
  const spans = [firstCycleSpan(calendar, scenario.account.createdAt)];
  while (spans.length < 6) spans.push(nextCycleSpan(calendar, spans[spans.length - 1]!));
  return spans;
}

describe('exactly once', () => {
  it('applying an event twice equals applying it once: reported as a duplicate, every total unchanged', () => {
    const arb = scenarioArb.chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        resends: fc.array(
          fc.record({
            pick: fc.nat(),
            delay: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 * DAY })),
          }),
          { maxLength: 10 },
        ),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, resends }) => {
        const base = buildScenario(shape);
        const once = runPreview(base);
        expect(once.rejected).toEqual([]); // every generated event is valid
        const calls = base.operations.filter((op) => op.type === 'call');
        fc.pre(calls.length > 0);
        const until = Date.parse(base.until as string);
        const copies = resends.map(({ pick, delay }) => {
          const original = calls[pick % calls.length]!;
          return {
            ...original,
            at: iso(Math.min(until, Date.parse(original.at as string) + delay)),
          };
        });
        const twice = runPreview({ ...base, operations: [...base.operations, ...copies] });
        expect(twice.cycles).toEqual(once.cycles);
        expect(twice.rejected).toEqual(once.rejected);
        expect(twice.duplicates).toBe(once.duplicates + copies.length);
      }),
      { numRuns: 200 },
    );
  });

  it('a preview is deterministic: the same scenario gives the same output', () => {
    fc.assert(
      fc.property(scenarioArb, (shape) => {
        const scenario = buildScenario(shape);
        expect(runPreview(scenario)).toEqual(runPreview(JSON.parse(JSON.stringify(scenario))));
      }),
      { numRuns: 50 },
    );
  });
});
