/**
 * The cycle ledger: the one authority for an account's totals (BILLING-RULES.md sections 4 to 7).
 *
 * The state is small and JSON-safe (it travels through Temporal's continue-as-new): the account's
 * facts, its calendar, the plan timeline (pruned to what a late call can still need), active
 * recurring purchases and the cycles not yet closed (at most the open one and one in grace).
 * Amounts are decimal strings of exact integers; arithmetic is done in `bigint`.
 *
 * {@link applyOperation} first advances the ledger through every boundary and close at or before
 * the operation's instant (a boundary before any operation at the same instant), then applies the
 * operation, and returns the effects: cycles started and closed (with their statements), calls
 * booked, alerts fired.
 */
import { bookingInstant, MAX_CALL_MS, type CallEvent } from './call-event.js';
import {
  firstCycleSpan,
  makeCalendar,
  nextCycleSpan,
  type BillingCalendar,
  type CycleSpan,
} from './calendar.js';
import type { Plan } from './plan.js';
import { rateCall } from './rating.js';
import {
  maxBig,
  overageChargeMinor,
  type Currency,
  type EpochMs,
  type LocalDateTime,
} from './units.js';

export const DEFAULT_GRACE_SECONDS = 3_600;
export const DEFAULT_MAX_LATE_SECONDS = 35 * 86_400;

/** Millicredits (or minor units) as a decimal string of an exact integer. */
export type Amount = string;

export interface AccountSettings {
  id: string;
  timeZone: string;
  createdAt: EpochMs;
  /** Local date-time whose day of month and time of day set the boundaries; null: `createdAt`. */
  billingAnchor: LocalDateTime | null;
  graceSeconds: number;
  maxLateSeconds: number;
}

/** A purchase's addition to a cycle: its credits, under the purchase's id. */
export interface PurchaseAddition {
  purchaseId: string;
  millicredits: Amount;
}

export interface AlertRecord {
  thresholdPercent: number;
  at: EpochMs;
}

export interface CycleState extends CycleSpan {
  index: number;
  allowanceMillicredits: Amount;
  /**
   * Purchased credits added to this cycle, in the order bought (recurring ones first). The JSON
   * name predates the rules' version 2, where a grant is free credits from ops: it is kept, as
   * workflow state carried through continue-as-new holds it.
   */
  grants: PurchaseAddition[];
  usedMillicredits: Amount;
  billableSeconds: number;
  lateAdjustments: number;
  /** Thresholds that fired and have not re-armed. */
  disarmedPercents: number[];
  alerts: AlertRecord[];
}

export interface PlanPeriod {
  from: EpochMs;
  plan: Plan;
}

export interface LedgerState {
  version: 1;
  account: Omit<AccountSettings, 'billingAnchor' | 'timeZone'>;
  calendar: BillingCalendar;
  /** The latest instant the ledger has been advanced to. */
  now: EpochMs;
  /** Plans by the instant they took effect, ascending; the last is in effect now. */
  plans: PlanPeriod[];
  /** A `next-cycle` plan change waiting for the next boundary. */
  pendingPlan: Plan | null;
  /** Recurring purchases not cancelled, in the order bought. */
  recurring: PurchaseAddition[];
  /** Cycles not yet closed, oldest first; the last is the open one. */
  cycles: CycleState[];
}

/** What a cycle's figures are, as of the ledger's `now` (final once `closed`). */
export interface CycleStatement {
  index: number;
  start: EpochMs;
  end: EpochMs;
  closed: boolean;
  planId: string;
  currency: Currency;
  overagePriceMicros: Amount;
  allowanceMillicredits: Amount;
  purchasedMillicredits: Amount;
  availableMillicredits: Amount;
  usedMillicredits: Amount;
  billableSeconds: number;
  lateAdjustments: number;
  overageMillicredits: Amount;
  /** Minor units of the plan's currency; null until the cycle is closed. */
  overageChargeMinor: Amount | null;
  alerts: AlertRecord[];
}

/**
 * One operation at instant `at`. Exactly-once is the caller's, through its stores: a `bookCall`
 * carries a call the dedup store accepted as new, and a `purchase` a purchase id never used before
 * (a unique key in PostgreSQL in the workflow, a set in `preview`).
 */
export type LedgerOperation =
  | { type: 'advance'; at: EpochMs }
  | { type: 'bookCall'; at: EpochMs; call: CallEvent }
  | { type: 'purchase'; at: EpochMs; purchaseId: string; millicredits: Amount; recurring: boolean }
  | { type: 'cancelPurchase'; at: EpochMs; purchaseId: string }
  | { type: 'changePlan'; at: EpochMs; plan: Plan; effective: PlanChangeTiming | null };

export type PlanChangeTiming = 'now' | 'next-cycle';

export type LedgerEffect =
  | { type: 'cycleStarted'; at: EpochMs; cycleIndex: number; start: EpochMs; end: EpochMs }
  | {
      type: 'callBooked';
      at: EpochMs;
      callId: string;
      cycleIndex: number;
      late: boolean;
      bookedAt: EpochMs;
      billedSeconds: number;
      millicredits: Amount;
    }
  | {
      type: 'alert';
      at: EpochMs;
      cycleIndex: number;
      thresholdPercent: number;
      usedMillicredits: Amount;
      availableMillicredits: Amount;
    }
  | { type: 'planChanged'; at: EpochMs; planId: string; effectiveFrom: EpochMs | 'next-cycle' }
  | {
      type: 'cycleClosed';
      at: EpochMs;
      statement: CycleStatement;
      /** The purchases added to the cycle, in the order bought: they leave the ledger with it. */
      purchases: PurchaseAddition[];
    };

export class LedgerError extends Error {
  override name = 'LedgerError';
}

const big = (amount: Amount): bigint => BigInt(amount);

function sumAdditions(additions: readonly PurchaseAddition[]): bigint {
  let total = 0n;
  for (const addition of additions) total += big(addition.millicredits);
  return total;
}

export function availableOf(cycle: CycleState): bigint {
  return big(cycle.allowanceMillicredits) + sumAdditions(cycle.grants);
}

export function openCycle(state: LedgerState): CycleState {
  const cycle = state.cycles[state.cycles.length - 1];
  if (cycle === undefined) throw new LedgerError('ledger has no open cycle');
  return cycle;
}

export function currentPlan(state: LedgerState): Plan {
  return planAt(state, state.now);
}

/** The plan in effect at an instant (the latest change at or before it). */
export function planAt(state: LedgerState, at: EpochMs): Plan {
  for (let i = state.plans.length - 1; i >= 0; i--) {
    const period = state.plans[i]!;
    if (period.from <= at) return period.plan;
  }
  throw new LedgerError(`no plan is known at ${at} (before the account or pruned)`);
}

function newCycle(
  index: number,
  span: CycleSpan,
  allowance: bigint,
  additions: PurchaseAddition[],
): CycleState {
  return {
    index,
    ...span,
    allowanceMillicredits: allowance.toString(),
    grants: additions,
    usedMillicredits: '0',
    billableSeconds: 0,
    lateAdjustments: 0,
    disarmedPercents: [],
    alerts: [],
  };
}

/** Opens an account's ledger at its creation with its first (possibly partial) cycle. */
export function createLedger(
  account: AccountSettings,
  plan: Plan,
): { state: LedgerState; effects: LedgerEffect[] } {
  const calendar = makeCalendar(account.timeZone, account.createdAt, account.billingAnchor);
  const span = firstCycleSpan(calendar, account.createdAt);
  const full = big(plan.allowanceMillicredits);
  // A partial first cycle gets the allowance prorated by time, rounded toward zero.
  const allowance =
    span.start === span.fullStart
      ? full
      : (full * BigInt(span.end - span.start)) / BigInt(span.end - span.fullStart);
  const state: LedgerState = {
    version: 1,
    account: {
      id: account.id,
      createdAt: account.createdAt,
      graceSeconds: account.graceSeconds,
      maxLateSeconds: account.maxLateSeconds,
    },
    calendar,
    now: account.createdAt,
    plans: [{ from: account.createdAt, plan }],
    pendingPlan: null,
    recurring: [],
    cycles: [newCycle(0, span, allowance, [])],
  };
  const effects: LedgerEffect[] = [
    { type: 'cycleStarted', at: span.start, cycleIndex: 0, start: span.start, end: span.end },
  ];
  evaluateAlerts(state, span.start, effects);
  return { state, effects };
}

/**
 * Applies one operation. The state passed in is updated in place and returned, so a caller keeps
 * exactly one copy (the workflow's, or the preview's).
 */
export function applyOperation(
  state: LedgerState,
  op: LedgerOperation,
): { state: LedgerState; effects: LedgerEffect[] } {
  if (op.at < state.now) {
    throw new LedgerError(`operations must not go back in time: ${op.at} < ${state.now}`);
  }
  const effects: LedgerEffect[] = [];
  advanceTo(state, op.at, effects);
  switch (op.type) {
    case 'advance':
      break;
    case 'bookCall':
      bookCall(state, op.call, op.at, effects);
      break;
    case 'purchase':
      purchase(state, op, effects);
      break;
    case 'cancelPurchase':
      state.recurring = state.recurring.filter((a) => a.purchaseId !== op.purchaseId);
      break;
    case 'changePlan':
      changePlan(state, op.plan, op.effective, op.at, effects);
      break;
  }
  return { state, effects };
}

/**
 * When the oldest cycle not yet closed closes: its end plus the grace (section 4). Infinity while
 * the open cycle is the only one: it closes only after a boundary has started the next.
 */
export function nextCloseAt(state: LedgerState): EpochMs {
  const oldest = state.cycles[0]!;
  return oldest === openCycle(state)
    ? Number.POSITIVE_INFINITY
    : oldest.end + state.account.graceSeconds * 1000;
}

/**
 * The ledger's next event: the open cycle's end (a boundary) or the next close, whichever is
 * first. Nothing changes before it unless an operation comes: a caller's timer waits for it.
 */
export function nextEventAt(state: LedgerState): EpochMs {
  return Math.min(openCycle(state).end, nextCloseAt(state));
}

/**
 * Starts every cycle whose boundary is at or before `t` and closes every cycle due by `t`, in
 * time order; a close at the instant of a boundary comes first.
 */
function advanceTo(state: LedgerState, t: EpochMs, effects: LedgerEffect[]): void {
  for (let next = nextEventAt(state); next <= t; next = nextEventAt(state)) {
    state.now = next;
    if (nextCloseAt(state) === next) closeOldest(state, next, effects);
    else startNextCycle(state, openCycle(state), effects);
  }
  state.now = t;
  prunePlans(state);
}

function startNextCycle(state: LedgerState, previous: CycleState, effects: LedgerEffect[]): void {
  const span = nextCycleSpan(state.calendar, previous);
  if (state.pendingPlan !== null) {
    state.plans.push({ from: span.start, plan: state.pendingPlan });
    state.pendingPlan = null;
  }
  const plan = planAt(state, span.start);
  const additions = state.recurring.map((a) => ({ ...a }));
  const cycle = newCycle(previous.index + 1, span, big(plan.allowanceMillicredits), additions);
  state.cycles.push(cycle);
  effects.push({
    type: 'cycleStarted',
    at: span.start,
    cycleIndex: cycle.index,
    start: span.start,
    end: span.end,
  });
  evaluateAlerts(state, span.start, effects);
}

function closeOldest(state: LedgerState, at: EpochMs, effects: LedgerEffect[]): void {
  const cycle = state.cycles.shift()!;
  effects.push({
    type: 'cycleClosed',
    at,
    statement: statementOf(state, cycle, true),
    purchases: cycle.grants,
  });
}

/** The statement of a cycle as of now; `closed` adds the charge. */
export function statementOf(
  state: LedgerState,
  cycle: CycleState,
  closed: boolean,
): CycleStatement {
  // The plan in effect at the last instant before the end sets the plan, price and currency.
  const plan = planAt(state, cycle.end - 1);
  const available = availableOf(cycle);
  const purchased = available - big(cycle.allowanceMillicredits);
  const overage = maxBig(0n, big(cycle.usedMillicredits) - available);
  return {
    index: cycle.index,
    start: cycle.start,
    end: cycle.end,
    closed,
    planId: plan.id,
    currency: plan.currency,
    overagePriceMicros: plan.overagePriceMicros,
    allowanceMillicredits: cycle.allowanceMillicredits,
    purchasedMillicredits: purchased.toString(),
    availableMillicredits: available.toString(),
    usedMillicredits: cycle.usedMillicredits,
    billableSeconds: cycle.billableSeconds,
    lateAdjustments: cycle.lateAdjustments,
    overageMillicredits: overage.toString(),
    overageChargeMinor: closed
      ? overageChargeMinor(overage, big(plan.overagePriceMicros), plan.currency).toString()
      : null,
    alerts: cycle.alerts.map((a) => ({ ...a })),
  };
}

/**
 * Books an accepted call: to the cycle holding its booking instant while that cycle is not
 * closed, else (a late adjustment) to the open cycle, rated with the plan in effect at the
 * booking instant either way.
 */
function bookCall(state: LedgerState, call: CallEvent, arrival: EpochMs, effects: LedgerEffect[]) {
  const bookedAt = bookingInstant(call, arrival);
  const open = openCycle(state);
  const home = state.cycles.find((c) => c.start <= bookedAt && bookedAt < c.end);
  const cycle = home ?? open;
  const late = home === undefined;
  const rating = rateCall(call, planAt(state, bookedAt));
  if (rating.billedSeconds > 0) {
    cycle.usedMillicredits = (big(cycle.usedMillicredits) + rating.millicredits).toString();
    cycle.billableSeconds += rating.billedSeconds;
    if (late) cycle.lateAdjustments += 1;
  }
  effects.push({
    type: 'callBooked',
    at: arrival,
    callId: call.callId,
    cycleIndex: cycle.index,
    late,
    bookedAt,
    billedSeconds: rating.billedSeconds,
    millicredits: rating.millicredits.toString(),
  });
  if (cycle === open && rating.millicredits > 0n) evaluateAlerts(state, arrival, effects);
}

function purchase(
  state: LedgerState,
  op: Extract<LedgerOperation, { type: 'purchase' }>,
  effects: LedgerEffect[],
): void {
  const addition: PurchaseAddition = { purchaseId: op.purchaseId, millicredits: op.millicredits };
  openCycle(state).grants.push(addition);
  if (op.recurring) state.recurring.push({ ...addition });
  evaluateAlerts(state, op.at, effects);
}

/** Resolves an absent `effective`: `now` for a plan with a higher allowance, else `next-cycle`. */
export function resolvePlanChangeTiming(
  current: Plan,
  next: Plan,
  effective: PlanChangeTiming | null,
): PlanChangeTiming {
  if (effective !== null) return effective;
  return big(next.allowanceMillicredits) > big(current.allowanceMillicredits)
    ? 'now'
    : 'next-cycle';
}

function changePlan(
  state: LedgerState,
  plan: Plan,
  effective: PlanChangeTiming | null,
  at: EpochMs,
  effects: LedgerEffect[],
): void {
  const current = planAt(state, at);
  // Any later request replaces a pending next-cycle change.
  state.pendingPlan = null;
  if (resolvePlanChangeTiming(current, plan, effective) === 'next-cycle') {
    state.pendingPlan = plan;
    effects.push({ type: 'planChanged', at, planId: plan.id, effectiveFrom: 'next-cycle' });
    return;
  }
  const cycle = openCycle(state);
  const delta = big(plan.allowanceMillicredits) - big(current.allowanceMillicredits);
  // Prorated by the time left in the full cycle; bigint division truncates toward zero.
  const adjustment = (delta * BigInt(cycle.end - at)) / BigInt(cycle.end - cycle.fullStart);
  cycle.allowanceMillicredits = maxBig(
    0n,
    big(cycle.allowanceMillicredits) + adjustment,
  ).toString();
  state.plans.push({ from: at, plan });
  effects.push({ type: 'planChanged', at, planId: plan.id, effectiveFrom: at });
  evaluateAlerts(state, at, effects);
}

/**
 * Threshold alerts of the open cycle (section 7). First, any fired threshold re-arms when
 * `used * 100 < p * available` again, whatever the plan in effect (armed state belongs to the
 * percent value, and a plan change keeps it). Then each threshold of the plan in effect fires,
 * in ascending order, when it is armed, `available > 0` and `used * 100 >= p * available`.
 */
function evaluateAlerts(state: LedgerState, at: EpochMs, effects: LedgerEffect[]): void {
  const cycle = openCycle(state);
  const thresholds = planAt(state, at).alertThresholdsPercent;
  if (thresholds.length === 0 && cycle.disarmedPercents.length === 0) return;
  const available = availableOf(cycle);
  const used100 = big(cycle.usedMillicredits) * 100n;
  const reached = (percent: number) => used100 >= BigInt(percent) * available;
  cycle.disarmedPercents = cycle.disarmedPercents.filter(reached);
  if (available <= 0n) return;
  for (const percent of thresholds) {
    if (cycle.disarmedPercents.includes(percent) || !reached(percent)) continue;
    cycle.disarmedPercents.push(percent);
    cycle.alerts.push({ thresholdPercent: percent, at });
    effects.push({
      type: 'alert',
      at,
      cycleIndex: cycle.index,
      thresholdPercent: percent,
      usedMillicredits: cycle.usedMillicredits,
      availableMillicredits: available.toString(),
    });
  }
}

/**
 * Drops plan periods no call can be rated with any more: a call booked from now on has its
 * booking instant at most `maxLateSeconds` + 24 h in the past, and a cycle not yet closed needs
 * the plan at its last instant.
 */
function prunePlans(state: LedgerState): void {
  const oldestNeeded = Math.min(
    state.now - state.account.maxLateSeconds * 1000 - MAX_CALL_MS,
    state.cycles[0]!.start,
  );
  let keepFrom = 0;
  for (let i = 1; i < state.plans.length && state.plans[i]!.from <= oldestNeeded; i++) keepFrom = i;
  if (keepFrom > 0) state.plans = state.plans.slice(keepFrom);
}
