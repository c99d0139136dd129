/**
 * Call admission under an overage limit (BILLING-RULES.md section 11): "may this call start, and
 * for how long?", answered from the open cycle's headroom, with a reservation that lowers the
 * headroom of later admissions until the call's event arrives or the reservation expires.
 */
import {
  availableOf,
  billedUsedOf,
  currentPlan,
  limitInEffect,
  MAX_ACTIVE_RESERVATIONS,
  openCycle,
  reservedIn,
  type AdmissionDecision,
  type LedgerEffect,
  type LedgerOperation,
  type LedgerState,
} from './ledger-state.js';
import type { RejectionCode } from './call-event.js';
import type { Plan } from './plan.js';
import { billedSeconds, creditsForSeconds } from './rating.js';
import type { EpochMs } from './units.js';

/** The longest call an admission can allow: the bound of a second-valued field. */
export const MAX_ADMISSION_SECONDS = 86_400;

/** A reservation stays active this long after the call's allowed time is over. */
export const RESERVATION_SLACK_MS = 600_000;

/**
 * The credits of an inbound, completed call of `raw` raw seconds under `plan` (section 3: free
 * seconds, rounding, minimum). Non-decreasing in `raw`: billed seconds are 0 up to the free
 * seconds and then a non-decreasing rounding of `raw` raised to a constant minimum, and the
 * credits are a non-decreasing function (a ceiling of a non-negative multiple) of them.
 */
export function creditsOfRawSeconds(raw: number, plan: Plan): bigint {
  return creditsForSeconds(billedSeconds(raw, plan), plan);
}

/**
 * The exact inverse of rating: the largest whole `s` from 0 to 86,400 whose credits are at most
 * `headroom` millicredits; 0 when even `s = 0` (0 credits) exceeds it. A binary search over the
 * integers (17 ratings at most), exact for every rounding mode since the credits are monotone.
 */
export function maxSecondsWithin(headroom: bigint, plan: Plan): number {
  if (headroom < 0n) return 0;
  if (creditsOfRawSeconds(MAX_ADMISSION_SECONDS, plan) <= headroom) return MAX_ADMISSION_SECONDS;
  // Invariant: credits(low) <= headroom < credits(high).
  let low = 0;
  let high = MAX_ADMISSION_SECONDS;
  while (high - low > 1) {
    const mid = low + ((high - low) >> 1);
    if (creditsOfRawSeconds(mid, plan) <= headroom) low = mid;
    else high = mid;
  }
  return low;
}

const refused = (reason: AdmissionDecision['reason'], maxSeconds: number): AdmissionDecision => ({
  allowed: false,
  maxSeconds,
  reason,
});

/**
 * An admission at the ledger's `now` for the open cycle, with the plan and the limit in effect:
 * the cases of section 11 in order. `alreadyRecorded` is the dedup store's answer for the call id.
 */
export function admit(
  state: LedgerState,
  op: Extract<LedgerOperation, { type: 'admit' }>,
  effects: LedgerEffect[],
): void {
  const cycle = openCycle(state);
  const active = state.reservations.find((r) => r.callId === op.callId);
  let decision: AdmissionDecision;
  let reserved: bigint | null = null;
  const limit = limitInEffect(state);
  if (op.alreadyRecorded) {
    decision = refused('call_already_recorded', 0);
  } else if (active !== undefined) {
    // A retried request gets the same answer; nothing is reserved and no expiry moves.
    decision = { allowed: true, maxSeconds: active.maxSeconds, reason: null };
  } else if (limit === null) {
    decision = { allowed: true, maxSeconds: null, reason: null };
  } else if (state.reservations.length >= MAX_ACTIVE_RESERVATIONS) {
    decision = refused('too_many_reservations', 0);
  } else {
    const plan = currentPlan(state);
    const headroom =
      availableOf(cycle) + limit - billedUsedOf(cycle) - reservedIn(state, cycle.index);
    const maxSeconds = maxSecondsWithin(headroom, plan);
    const allowed = maxSeconds >= Math.max(1, plan.admissionMinimumSeconds);
    decision = allowed
      ? { allowed, maxSeconds, reason: null }
      : refused('limit_reached', maxSeconds);
    if (allowed) {
      reserved = creditsOfRawSeconds(Math.min(maxSeconds, plan.admissionReserveSeconds), plan);
      state.reservations.push({
        callId: op.callId,
        at: op.at,
        cycleIndex: cycle.index,
        expiresAt: op.at + maxSeconds * 1000 + RESERVATION_SLACK_MS,
        millicredits: reserved.toString(),
        maxSeconds,
      });
    }
  }
  effects.push({
    type: 'admission',
    at: op.at,
    callId: op.callId,
    cycleIndex: cycle.index,
    decision,
    reservedMillicredits: reserved === null ? null : reserved.toString(),
  });
}

/** Ends the reservation of a call id whose event was applied (section 11). */
export function releaseReservation(state: LedgerState, callId: string): void {
  if (state.reservations.length === 0) return;
  const at = state.reservations.findIndex((r) => r.callId === callId);
  if (at >= 0) state.reservations.splice(at, 1);
}

/** Drops the reservations inactive at `t`: from `expiresAt` on. */
export function pruneReservations(state: LedgerState, t: EpochMs): void {
  if (state.reservations.some((r) => r.expiresAt <= t)) {
    state.reservations = state.reservations.filter((r) => r.expiresAt > t);
  }
}

/** Event outcomes that may be refused before they reach the account: they release nothing. */
const EDGE_REJECTIONS: ReadonlySet<RejectionCode> = new Set<RejectionCode>([
  'event_too_large',
  'invalid_event',
  'account_mismatch',
]);

/** Whether an event applied with this outcome releases its call id's reservation. */
export function releasesReservation(outcome: 'duplicate' | RejectionCode): boolean {
  if (outcome === 'duplicate') return true;
  return !EDGE_REJECTIONS.has(outcome);
}
