/**
 * The cycle ledger: the one authority for an account's totals (BILLING-RULES.md sections 4 to 12).
 *
 * The state (`ledger-state.ts`) is small and JSON-safe (it travels through Temporal's
 * continue-as-new): the account's facts, its calendar, the plan timeline (pruned to what a late
 * call can still need), active recurring purchases, the cycles not yet closed (at most the open
 * one and one in grace), the account's overage limit and auto top-up rule, and the active
 * reservations. Amounts are decimal strings of exact integers; arithmetic is done in `bigint`.
 *
 * {@link applyOperation} first advances the ledger through every boundary and close at or before
 * the operation's instant (a boundary before any operation at the same instant), then applies
 * the operation, then the auto top-ups it triggers, then the open cycle's alerts once; it returns
 * the effects: cycles started and closed (with their statements), calls booked, credits added
 * (with what to charge), admissions, plan changes and alerts fired.
 */
import { admit, pruneReservations, releaseReservation, releasesReservation } from './admission.js';
import { bookingInstant, MAX_CALL_MS, type CallEvent } from './call-event.js';
import { firstCycleSpan, makeCalendar, nextCycleSpan, type CycleSpan } from './calendar.js';
import {
  amountOf,
  availableOf,
  big,
  cycleAmounts,
  billedUsedOf,
  figuresOf,
  limitInEffect,
  openCycle,
  planAt,
  LedgerError,
  type AccountSettings,
  type CycleFigures,
  type CycleState,
  type CycleStatement,
  type LedgerEffect,
  type LedgerOperation,
  type LedgerState,
  type PlanChangeTiming,
} from './ledger-state.js';
import { upgradePlan, type Plan } from './plan.js';
import { addRecurring, grant, purchase } from './purchases.js';
import { rateCall } from './rating.js';
import { topUp } from './top-up.js';
import { maxBig, overageChargeMinor, type EpochMs } from './units.js';

export * from './ledger-state.js';
export { upgradeLedgerState } from './ledger-upgrade.js';

export const DEFAULT_GRACE_SECONDS = 3_600;
export const DEFAULT_MAX_LATE_SECONDS = 35 * 86_400;

function newCycle(index: number, span: CycleSpan, allowance: bigint): CycleState {
  return {
    index,
    ...span,
    allowanceMillicredits: allowance.toString(),
    additions: [],
    purchasedMillicredits: '0',
    grantedMillicredits: '0',
    topUps: 0,
    usedMillicredits: '0',
    writtenOffMillicredits: '0',
    billableSeconds: 0,
    lateAdjustments: 0,
    disarmedPercents: [],
    alerts: [],
  };
}

/** Opens an account's ledger at its creation with its first (possibly partial) cycle. */
export function createLedger(
  account: AccountSettings,
  initialPlan: Plan,
): { state: LedgerState; effects: LedgerEffect[] } {
  const plan = upgradePlan(initialPlan);
  const calendar = makeCalendar(account.timeZone, account.createdAt, account.billingAnchor);
  const span = firstCycleSpan(calendar, account.createdAt);
  const full = big(plan.allowanceMillicredits);
  // A partial first cycle gets the allowance prorated by time, rounded toward zero.
  const allowance =
    span.start === span.fullStart
      ? full
      : (full * BigInt(span.end - span.start)) / BigInt(span.end - span.fullStart);
  const state: LedgerState = {
    version: 2,
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
    cycles: [newCycle(0, span, allowance)],
    overageLimitMillicredits: null,
    autoTopUp: null,
    reservations: [],
  };
  const effects: LedgerEffect[] = [
    { type: 'cycleStarted', at: span.start, cycleIndex: 0, start: span.start, end: span.end },
  ];
  evaluateAlerts(state, span.start, figuresOf(openCycle(state)), effects);
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
  if (state.reservations.length > 0) pruneReservations(state, op.at);
  // Whether the operation changed the open cycle's figures or thresholds (section 7).
  let changed = false;
  switch (op.type) {
    case 'advance':
      break;
    case 'bookCall':
      changed = bookCall(state, op.call, op.at, effects);
      releaseReservation(state, op.call.callId);
      break;
    case 'callNotBooked':
      if (op.callId !== null && releasesReservation(op.outcome)) {
        releaseReservation(state, op.callId);
      }
      break;
    case 'purchase':
      purchase(state, op, effects);
      changed = true;
      break;
    case 'cancelPurchase':
      state.recurring = state.recurring.filter((a) => a.purchaseId !== op.purchaseId);
      break;
    case 'changePlan':
      changed = changePlan(state, upgradePlan(op.plan), op.effective, op.at, effects);
      break;
    case 'grant':
      grant(state, op, effects);
      changed = true;
      break;
    case 'setOverageLimit':
      state.overageLimitMillicredits = op.millicredits;
      break;
    case 'admit':
      admit(state, op, effects);
      break;
    case 'setAutoTopUp':
      state.autoTopUp = op.rule === null ? null : { ...op.rule };
      break;
  }
  // Then the top-ups the operation triggered, then the alerts once (section 12).
  if (state.autoTopUp !== null || changed) {
    const figures = figuresOf(openCycle(state));
    if (topUp(state, figures, effects) > 0) changed = true;
    if (changed) evaluateAlerts(state, op.at, figures, effects);
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

/**
 * A cycle start (sections 4 and 12): the plan change pending for the boundary, the allowance,
 * the recurring purchases in the order bought, then the top-ups, then the alerts once.
 */
function startNextCycle(state: LedgerState, previous: CycleState, effects: LedgerEffect[]): void {
  const span = nextCycleSpan(state.calendar, previous);
  if (state.pendingPlan !== null) {
    state.plans.push({ from: span.start, plan: state.pendingPlan });
    state.pendingPlan = null;
  }
  const plan = planAt(state, span.start);
  const cycle = newCycle(previous.index + 1, span, big(plan.allowanceMillicredits));
  state.cycles.push(cycle);
  effects.push({
    type: 'cycleStarted',
    at: span.start,
    cycleIndex: cycle.index,
    start: span.start,
    end: span.end,
  });
  addRecurring(state, effects);
  const figures = figuresOf(cycle);
  topUp(state, figures, effects);
  evaluateAlerts(state, span.start, figures, effects);
}

function closeOldest(state: LedgerState, at: EpochMs, effects: LedgerEffect[]): void {
  const cycle = state.cycles.shift()!;
  effects.push({ type: 'cycleClosed', at, statement: statementOf(state, cycle, true), cycle });
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
  const overage = maxBig(0n, billedUsedOf(cycle) - available);
  return {
    index: cycle.index,
    start: cycle.start,
    end: cycle.end,
    closed,
    planId: plan.id,
    currency: plan.currency,
    overagePriceMicros: plan.overagePriceMicros,
    allowanceMillicredits: cycle.allowanceMillicredits,
    purchasedMillicredits: cycle.purchasedMillicredits,
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
 * The part of a call's credits written off when it is booked (section 11): what exceeds
 * `available + L - billedUsed` of its cycle, with the limit L in effect at its arrival; nothing
 * without a limit. Computed before the top-ups the call triggers.
 */
function writtenOffPart(
  state: LedgerState,
  cycle: CycleState,
  billedUsed: bigint,
  credits: bigint,
): bigint {
  if (credits === 0n) return 0n;
  const limit = limitInEffect(state);
  if (limit === null) return 0n;
  const room = availableOf(cycle) + limit - billedUsed;
  const billable = room <= 0n ? 0n : room < credits ? room : credits;
  return credits - billable;
}

/**
 * Books an accepted call: to the cycle holding its booking instant while that cycle is not
 * closed, else (a late adjustment) to the open cycle, rated with the plan in effect at the
 * booking instant either way. Returns whether it changed the open cycle's figures.
 */
function bookCall(
  state: LedgerState,
  call: CallEvent,
  arrival: EpochMs,
  effects: LedgerEffect[],
): boolean {
  const bookedAt = bookingInstant(call, arrival);
  const open = openCycle(state);
  const home = state.cycles.find((c) => c.start <= bookedAt && bookedAt < c.end);
  const cycle = home ?? open;
  const late = home === undefined;
  const rating = rateCall(call, planAt(state, bookedAt));
  const used = cycleAmounts.used.parse(cycle.usedMillicredits);
  const writtenOffBefore = cycleAmounts.writtenOff.parse(cycle.writtenOffMillicredits);
  const writtenOff = writtenOffPart(state, cycle, used - writtenOffBefore, rating.millicredits);
  if (rating.billedSeconds > 0) {
    cycle.usedMillicredits = cycleAmounts.used.format(used + rating.millicredits);
    if (writtenOff > 0n) {
      cycle.writtenOffMillicredits = cycleAmounts.writtenOff.format(writtenOffBefore + writtenOff);
    }
    cycle.billableSeconds += rating.billedSeconds;
    if (late) cycle.lateAdjustments += 1;
  }
  const millicredits = amountOf(rating.millicredits);
  effects.push({
    type: 'callBooked',
    at: arrival,
    callId: call.callId,
    cycleIndex: cycle.index,
    late,
    bookedAt,
    billedSeconds: rating.billedSeconds,
    millicredits,
    // Past the limit a call is usually written off whole: the same text, formatted once.
    writtenOffMillicredits:
      writtenOff === rating.millicredits ? millicredits : amountOf(writtenOff),
  });
  return cycle === open && rating.millicredits > 0n;
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

/** Returns whether the change took effect now (and so changed the open cycle). */
function changePlan(
  state: LedgerState,
  plan: Plan,
  effective: PlanChangeTiming | null,
  at: EpochMs,
  effects: LedgerEffect[],
): boolean {
  const current = planAt(state, at);
  // Any later request replaces a pending next-cycle change.
  state.pendingPlan = null;
  if (resolvePlanChangeTiming(current, plan, effective) === 'next-cycle') {
    state.pendingPlan = plan;
    effects.push({ type: 'planChanged', at, planId: plan.id, effectiveFrom: 'next-cycle' });
    return false;
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
  return true;
}

/**
 * Threshold alerts of the open cycle (section 7), on `billedUsed`. First, any fired threshold
 * re-arms when `billedUsed * 100 < p * available` again, whatever the plan in effect (armed state
 * belongs to the percent value, and a plan change keeps it). Then each threshold of the plan in
 * effect fires, in ascending order, when it is armed, `available > 0` and
 * `billedUsed * 100 >= p * available`.
 */
function evaluateAlerts(
  state: LedgerState,
  at: EpochMs,
  { available, billedUsed }: CycleFigures,
  effects: LedgerEffect[],
): void {
  const cycle = openCycle(state);
  const thresholds = planAt(state, at).alertThresholdsPercent;
  if (thresholds.length === 0 && cycle.disarmedPercents.length === 0) return;
  const used100 = billedUsed * 100n;
  const reached = (percent: number) => used100 >= BigInt(percent) * available;
  // Most operations re-arm nothing: the list is rebuilt only when one has to go.
  if (!cycle.disarmedPercents.every(reached)) {
    cycle.disarmedPercents = cycle.disarmedPercents.filter(reached);
  }
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
  if (state.plans.length < 2) return;
  const oldestNeeded = Math.min(
    state.now - state.account.maxLateSeconds * 1000 - MAX_CALL_MS,
    state.cycles[0]!.start,
  );
  let keepFrom = 0;
  for (let i = 1; i < state.plans.length && state.plans[i]!.from <= oldestNeeded; i++) keepFrom = i;
  if (keepFrom > 0) state.plans = state.plans.slice(keepFrom);
}
