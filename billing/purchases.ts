/**
 * Credits added to the open cycle (BILLING-RULES.md sections 5, 9 and 10): purchases (one-time
 * and recurring), auto top-ups and grants, each listed in the cycle's additions in the order
 * applied. Every addition of purchased credits is charged with the purchase price and currency
 * of the plan in effect at that instant (an agreed price replaces it for a purchase's first
 * addition); a grant is free.
 */
import {
  big,
  cycleAmounts,
  openCycle,
  planAt,
  type Amount,
  type CycleAddition,
  type LedgerEffect,
  type LedgerOperation,
  type LedgerState,
  type PurchaseCharge,
} from './ledger-state.js';
import { overageChargeMinor, type EpochMs } from './units.js';

interface AdditionRequest {
  source: CycleAddition['source'];
  id: string;
  millicredits: Amount;
  /** An agreed price in micro-units, replacing the plan's; ignored for a grant. */
  priceMicros?: Amount | null;
  paidFirst?: boolean;
}

/**
 * Adds credits to the open cycle at the ledger's `now`, priced by the plan in effect then, and
 * reports the addition with what to charge for it.
 */
export function addCredits(
  state: LedgerState,
  request: AdditionRequest,
  effects: LedgerEffect[],
): CycleAddition {
  const at: EpochMs = state.now;
  const cycle = openCycle(state);
  const plan = planAt(state, at);
  const price =
    request.source === 'grant' ? 0n : big(request.priceMicros ?? plan.purchasePriceMicros ?? '0');
  const addition: CycleAddition = {
    source: request.source,
    id: request.id,
    at,
    millicredits: request.millicredits,
    // Section 9's charge is section 6's formula: roundHalfUp(mc * price * 10^exp / 10^9).
    chargeMinor: overageChargeMinor(big(request.millicredits), price, plan.currency).toString(),
    currency: plan.currency,
  };
  if (request.paidFirst === true) addition.paidFirst = true;
  cycle.additions.push(addition);
  const credits = big(request.millicredits);
  if (request.source === 'grant') {
    const granted = cycleAmounts.granted.parse(cycle.grantedMillicredits);
    cycle.grantedMillicredits = cycleAmounts.granted.format(granted + credits);
  } else {
    const purchased = cycleAmounts.purchased.parse(cycle.purchasedMillicredits);
    cycle.purchasedMillicredits = cycleAmounts.purchased.format(purchased + credits);
    if (request.source === 'autoTopUp') cycle.topUps += 1;
  }
  effects.push({
    type: 'creditsAdded',
    at,
    cycleIndex: cycle.index,
    addition,
    charge:
      request.source === 'grant'
        ? null
        : chargeOf(state.account.id, request.source, addition, cycle.start),
  });
  return addition;
}

function chargeOf(
  accountId: string,
  source: 'purchase' | 'autoTopUp',
  addition: CycleAddition,
  cycleStart: EpochMs,
): PurchaseCharge {
  const paidFirst = addition.paidFirst === true;
  return {
    key: paidFirst
      ? { accountId, purchaseId: addition.id }
      : { accountId, source, id: addition.id, cycleStart },
    amountMinor: addition.chargeMinor,
    currency: addition.currency,
    alreadyPaid: paidFirst,
  };
}

/** A purchase: added now; a recurring one is also added at every later cycle start. */
export function purchase(
  state: LedgerState,
  op: Extract<LedgerOperation, { type: 'purchase' }>,
  effects: LedgerEffect[],
): void {
  addCredits(
    state,
    {
      source: 'purchase',
      id: op.purchaseId,
      millicredits: op.millicredits,
      priceMicros: op.priceMicros ?? null,
      paidFirst: op.paidFirst ?? false,
    },
    effects,
  );
  if (op.recurring) {
    state.recurring.push({ purchaseId: op.purchaseId, millicredits: op.millicredits });
  }
}

/** At a cycle start: the recurring purchases again, in the order bought, at the plan's price. */
export function addRecurring(state: LedgerState, effects: LedgerEffect[]): void {
  for (const r of state.recurring) {
    addCredits(
      state,
      { source: 'purchase', id: r.purchaseId, millicredits: r.millicredits },
      effects,
    );
  }
}

/** A grant (section 10): free credits for the open cycle, consumed with purchases in order. */
export function grant(
  state: LedgerState,
  op: Extract<LedgerOperation, { type: 'grant' }>,
  effects: LedgerEffect[],
): void {
  addCredits(state, { source: 'grant', id: op.grantId, millicredits: op.millicredits }, effects);
}
