/**
 * The cycle ledger's state, operations and effects (BILLING-RULES.md sections 4 to 12), and the
 * small reads every part of the ledger shares. The operations live in `ledger.ts` (cycles,
 * bookings, plan changes, alerts), `purchases.ts` (priced purchases and grants),
 * `admission.ts` (the overage limit's admissions and reservations) and `top-up.ts`.
 *
 * The state is small and JSON-safe (it travels through Temporal's continue-as-new): amounts are
 * decimal strings of exact integers, arithmetic is done in `bigint`.
 */
import type { CallEvent, RejectionCode } from './call-event.js';
import type { BillingCalendar, CycleSpan } from './calendar.js';
import type { Plan } from './plan.js';
import { AmountMemo, big, type Amount } from './amounts.js';
import type { Currency, EpochMs, LocalDateTime } from './units.js';

export type { Amount } from './amounts.js';

export interface AccountSettings {
  id: string;
  timeZone: string;
  createdAt: EpochMs;
  /** Local date-time whose day of month and time of day set the boundaries; null: `createdAt`. */
  billingAnchor: LocalDateTime | null;
  graceSeconds: number;
  maxLateSeconds: number;
}

/** Where credits added to a cycle come from: purchases and auto top-ups are charged, grants not. */
export type AdditionSource = 'purchase' | 'autoTopUp' | 'grant';

/**
 * Credits added to a cycle (sections 5, 9, 10, 12). `id` is the purchase id, the grant id, or for
 * an auto top-up its number within the cycle (`"1"`, `"2"`...): each source is its own namespace.
 */
export interface CycleAddition {
  source: AdditionSource;
  id: string;
  at: EpochMs;
  millicredits: Amount;
  /** Minor units of `currency`; `"0"` for a grant. */
  chargeMinor: Amount;
  currency: Currency;
  /** Set on a paid-first purchase's first addition: paid before it was added, never charged here. */
  paidFirst?: true;
}

/** A recurring purchase not cancelled: added again at every cycle start. */
export interface RecurringPurchase {
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
  /** Purchases, auto top-ups and grants, in the order applied (the order they are consumed in). */
  additions: CycleAddition[];
  /** The sums of `additions` by kind and the top-ups among them, kept so no operation scans it. */
  purchasedMillicredits: Amount;
  grantedMillicredits: Amount;
  topUps: number;
  /** The credits of every call booked to the cycle, written-off parts included. */
  usedMillicredits: Amount;
  /** The parts of calls booked past the overage limit (section 11): never charged. */
  writtenOffMillicredits: Amount;
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

/** The account's auto top-up rule (section 12), in millicredits. */
export interface AutoTopUpRule {
  belowMillicredits: Amount;
  millicredits: Amount;
  maxPerCycle: number;
}

export type AdmissionRefusal = 'call_already_recorded' | 'too_many_reservations' | 'limit_reached';

/** The answer to "may this call start, and for how long?" (section 11). */
export interface AdmissionDecision {
  allowed: boolean;
  /** Raw seconds the call may last; null when no limit is in effect. */
  maxSeconds: number | null;
  reason: AdmissionRefusal | null;
}

/** An allowed admission's hold on the headroom of its cycle, until released or expired. */
export interface Reservation {
  callId: string;
  at: EpochMs;
  cycleIndex: number;
  /** `at + maxSeconds + 600 s`: inactive from this instant on. */
  expiresAt: EpochMs;
  millicredits: Amount;
  /** The decision's `maxSeconds`, answered again to a retried admission. */
  maxSeconds: number;
}

export interface LedgerState {
  version: 2;
  account: Omit<AccountSettings, 'billingAnchor' | 'timeZone'>;
  calendar: BillingCalendar;
  /** The latest instant the ledger has been advanced to. */
  now: EpochMs;
  /** Plans by the instant they took effect, ascending; the last is in effect now. */
  plans: PlanPeriod[];
  /** A `next-cycle` plan change waiting for the next boundary. */
  pendingPlan: Plan | null;
  /** Recurring purchases not cancelled, in the order bought. */
  recurring: RecurringPurchase[];
  /** Cycles not yet closed, oldest first; the last is the open one. */
  cycles: CycleState[];
  /** The account's own overage limit (the last `setOverageLimit`); null: none. */
  overageLimitMillicredits: Amount | null;
  autoTopUp: AutoTopUpRule | null;
  /** Active reservations in the order made, at most {@link MAX_ACTIVE_RESERVATIONS}. */
  reservations: Reservation[];
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
  /** Purchases and auto top-ups; grants are not purchased. */
  purchasedMillicredits: Amount;
  /** Allowance, purchased and granted. */
  availableMillicredits: Amount;
  usedMillicredits: Amount;
  billableSeconds: number;
  lateAdjustments: number;
  /** `max(0, billedUsed - available)`. */
  overageMillicredits: Amount;
  /** Minor units of the plan's currency; null until the cycle is closed. */
  overageChargeMinor: Amount | null;
  alerts: AlertRecord[];
}

export type PlanChangeTiming = 'now' | 'next-cycle';

/**
 * One operation at instant `at`. Exactly-once is the caller's, through its stores: a `bookCall`
 * carries a call the dedup store accepted as new, a `purchase` a purchase id never used before
 * and a `grant` a grant id never used before (unique keys in PostgreSQL in the workflow, sets in
 * `preview`), and an `admit` says whether the dedup store already accepted its call id.
 *
 * Every operation ends with the auto top-up check and the open cycle's alerts (section 12):
 * an operation the caller's stores turned away (a repeated purchase or grant id) is applied as
 * an `advance`, and a call event not booked (a duplicate, a rejection) as `callNotBooked`.
 */
export type LedgerOperation =
  | { type: 'advance'; at: EpochMs }
  | { type: 'bookCall'; at: EpochMs; call: CallEvent }
  | {
      type: 'callNotBooked';
      at: EpochMs;
      /** The event's `callId` when it is a string, else null. */
      callId: string | null;
      outcome: 'duplicate' | RejectionCode;
    }
  | {
      type: 'purchase';
      at: EpochMs;
      purchaseId: string;
      millicredits: Amount;
      recurring: boolean;
      /** The price the customer agreed to, in micro-units: replaces the plan's for the first addition. */
      priceMicros?: Amount | null;
      /** Paid before it is added (charge key: account and purchase id): not charged again. */
      paidFirst?: boolean;
    }
  | { type: 'cancelPurchase'; at: EpochMs; purchaseId: string }
  | { type: 'changePlan'; at: EpochMs; plan: Plan; effective: PlanChangeTiming | null }
  | { type: 'grant'; at: EpochMs; grantId: string; millicredits: Amount; reason: string }
  | { type: 'setOverageLimit'; at: EpochMs; millicredits: Amount | null }
  | { type: 'admit'; at: EpochMs; callId: string; alreadyRecorded: boolean }
  | { type: 'setAutoTopUp'; at: EpochMs; rule: AutoTopUpRule | null };

/**
 * The idempotency key of a purchase charge (section 9): (account, source, id, cycle start), or
 * (account, purchase id) for a paid-first purchase, paid before its credits were added.
 */
export type PurchaseChargeKey =
  | { accountId: string; source: 'purchase' | 'autoTopUp'; id: string; cycleStart: EpochMs }
  | { accountId: string; purchaseId: string };

export interface PurchaseCharge {
  key: PurchaseChargeKey;
  amountMinor: Amount;
  currency: Currency;
  /** True for a paid-first purchase's first addition: the payment was taken before. */
  alreadyPaid: boolean;
}

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
      /** The part past the overage limit: counted in used, never charged. */
      writtenOffMillicredits: Amount;
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
      type: 'creditsAdded';
      at: EpochMs;
      cycleIndex: number;
      addition: CycleAddition;
      /** Null for a grant, which is never charged. */
      charge: PurchaseCharge | null;
    }
  | {
      type: 'admission';
      at: EpochMs;
      callId: string;
      cycleIndex: number;
      decision: AdmissionDecision;
      /** The credits a new reservation holds; null when this admission reserved nothing. */
      reservedMillicredits: Amount | null;
    }
  | {
      type: 'cycleClosed';
      at: EpochMs;
      statement: CycleStatement;
      /** The closed cycle as the ledger held it (its additions, written-off credits...). */
      cycle: CycleState;
    };

export class LedgerError extends Error {
  override name = 'LedgerError';
}

/** At most this many reservations are active at once (section 11, case 4). */
export const MAX_ACTIVE_RESERVATIONS = 1_000;

export { amountOf, big } from './amounts.js';

/** The memos of the cycle's amounts, for the readers below and the operations that write them. */
export const cycleAmounts = {
  allowance: new AmountMemo(),
  purchased: new AmountMemo(),
  granted: new AmountMemo(),
  used: new AmountMemo(),
  writtenOff: new AmountMemo(),
};
const planLimit = new AmountMemo();
const ownLimit = new AmountMemo();

/** `allowance + purchased + granted` (section 5). */
export function availableOf(cycle: CycleState): bigint {
  return (
    cycleAmounts.allowance.parse(cycle.allowanceMillicredits) +
    cycleAmounts.purchased.parse(cycle.purchasedMillicredits) +
    cycleAmounts.granted.parse(cycle.grantedMillicredits)
  );
}

/** `used - writtenOff`: what overage and alerts count (section 11). */
export function billedUsedOf(cycle: CycleState): bigint {
  return (
    cycleAmounts.used.parse(cycle.usedMillicredits) -
    cycleAmounts.writtenOff.parse(cycle.writtenOffMillicredits)
  );
}

/** A cycle's available credits and billed usage, read once for the checks ending an operation. */
export interface CycleFigures {
  available: bigint;
  billedUsed: bigint;
}

export function figuresOf(cycle: CycleState): CycleFigures {
  return { available: availableOf(cycle), billedUsed: billedUsedOf(cycle) };
}

export function openCycle(state: LedgerState): CycleState {
  const cycle = state.cycles[state.cycles.length - 1];
  if (cycle === undefined) throw new LedgerError('ledger has no open cycle');
  return cycle;
}

/** The plan in effect at an instant (the latest change at or before it). */
export function planAt(state: LedgerState, at: EpochMs): Plan {
  for (let i = state.plans.length - 1; i >= 0; i--) {
    const period = state.plans[i]!;
    if (period.from <= at) return period.plan;
  }
  throw new LedgerError(`no plan is known at ${at} (before the account or pruned)`);
}

export function currentPlan(state: LedgerState): Plan {
  return planAt(state, state.now);
}

/**
 * The overage limit in effect now (section 11): the smaller of the current plan's and the
 * account's own; null when neither sets one.
 */
export function limitInEffect(state: LedgerState): bigint | null {
  const fromPlan = currentPlan(state).overageLimitMillicredits;
  const own = state.overageLimitMillicredits;
  if (fromPlan === null) return own === null ? null : ownLimit.parse(own);
  if (own === null) return planLimit.parse(fromPlan);
  const a = planLimit.parse(fromPlan);
  const b = ownLimit.parse(own);
  return a < b ? a : b;
}

/** The credits held by active reservations made in a cycle (sections 11 and 12). */
export function reservedIn(state: LedgerState, cycleIndex: number): bigint {
  let total = 0n;
  for (const r of state.reservations) if (r.cycleIndex === cycleIndex) total += big(r.millicredits);
  return total;
}
