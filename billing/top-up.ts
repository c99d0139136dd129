/**
 * Auto top-up (BILLING-RULES.md section 12): after every operation and at every cycle start,
 * while the open cycle's `available - billedUsed - reserved` is below the rule's `belowCredits`
 * and fewer than `maxPerCycle` top-ups were made in it, buy the rule's credits at once (a
 * one-time purchase, charged at the plan's price, numbered "1", "2"... within the cycle).
 */
import { AmountMemo } from './amounts.js';
import { addCredits } from './purchases.js';
import {
  openCycle,
  reservedIn,
  type CycleFigures,
  type LedgerEffect,
  type LedgerState,
} from './ledger-state.js';

const ruleBelow = new AmountMemo();
const ruleCredits = new AmountMemo();

/**
 * Runs the top-up check at the ledger's `now` on the open cycle, whose `figures` it keeps up to
 * date; returns how many top-ups it made.
 */
export function topUp(state: LedgerState, figures: CycleFigures, effects: LedgerEffect[]): number {
  const rule = state.autoTopUp;
  if (rule === null) return 0;
  const cycle = openCycle(state);
  const below = ruleBelow.parse(rule.belowMillicredits);
  const reserved = reservedIn(state, cycle.index);
  const made = cycle.topUps;
  // Every top-up of the cycle counts, also those made under an earlier rule.
  while (
    cycle.topUps < rule.maxPerCycle &&
    figures.available - figures.billedUsed - reserved < below
  ) {
    const id = String(cycle.topUps + 1);
    addCredits(state, { source: 'autoTopUp', id, millicredits: rule.millicredits }, effects);
    figures.available += ruleCredits.parse(rule.millicredits);
  }
  return cycle.topUps - made;
}
