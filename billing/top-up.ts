/**
 * Auto top-up (BILLING-RULES.md section 12): after every operation and at every cycle start,
 * while the open cycle's `available - billedUsed - reserved` is below the rule's `belowCredits`
 * and fewer than `maxPerCycle` top-ups were made in it, buy the rule's credits at once (a
 * one-time purchase, charged at the plan's price, numbered "1", "2"... within the cycle).
 */
import { addCredits } from './purchases.js';
import {
  availableOf,
  big,
  billedUsedOf,
  openCycle,
  reservedIn,
  type CycleState,
  type LedgerEffect,
  type LedgerState,
} from './ledger-state.js';

/** Top-ups made in a cycle so far, under any rule. */
export function topUpsIn(cycle: CycleState): number {
  let count = 0;
  for (const addition of cycle.additions) if (addition.source === 'autoTopUp') count++;
  return count;
}

/** Runs the top-up check at the ledger's `now`; returns how many top-ups it made. */
export function topUp(state: LedgerState, effects: LedgerEffect[]): number {
  const rule = state.autoTopUp;
  if (rule === null) return 0;
  const cycle = openCycle(state);
  const below = big(rule.belowMillicredits);
  const reserved = reservedIn(state, cycle.index);
  const made = topUpsIn(cycle);
  let count = made;
  while (count < rule.maxPerCycle && availableOf(cycle) - billedUsedOf(cycle) - reserved < below) {
    count++;
    addCredits(
      state,
      { source: 'autoTopUp', id: String(count), millicredits: rule.millicredits },
      effects,
    );
  }
  return count - made;
}
