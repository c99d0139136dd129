/**
 * Loading a ledger state carried from an earlier version of the core (through Temporal's
 * continue-as-new, or a recorded history): version 1 becomes version 2 with nothing of version 2
 * in effect yet (no overage limit, no auto top-up, no reservation), its cycles' purchases as
 * additions, and its plans with the fields version 2 added at their defaults.
 */
import {
  LedgerError,
  planAt,
  type CycleAddition,
  type CycleState,
  type LedgerState,
  type PlanPeriod,
} from './ledger-state.js';
import { upgradePlan, type StoredPlan } from './plan.js';

/** A cycle as version 1 held it: its purchases in `grants`, nothing written off. */
interface CycleStateV1 extends Omit<
  CycleState,
  | 'additions'
  | 'purchasedMillicredits'
  | 'grantedMillicredits'
  | 'topUps'
  | 'writtenOffMillicredits'
> {
  grants: { purchaseId: string; millicredits: string }[];
}

interface LedgerStateV1 extends Omit<
  LedgerState,
  | 'version'
  | 'cycles'
  | 'plans'
  | 'pendingPlan'
  | 'overageLimitMillicredits'
  | 'autoTopUp'
  | 'reservations'
> {
  version: 1;
  plans: { from: number; plan: StoredPlan }[];
  pendingPlan: StoredPlan | null;
  cycles: CycleStateV1[];
}

/**
 * A carried ledger state as the current version. Version 1's purchases become additions of
 * source `purchase`, dated at their cycle's start (version 1 did not keep when they were bought)
 * and charged 0 in the currency of the plan then (version 1 never charged a purchase).
 */
export function upgradeLedgerState(carried: unknown): LedgerState {
  const state = carried as LedgerState | LedgerStateV1;
  if (state.version === 2) return state;
  if (state.version !== 1) {
    throw new LedgerError(
      `unknown ledger state version ${String((state as { version: unknown }).version)}`,
    );
  }
  const plans: PlanPeriod[] = state.plans.map((p) => ({ from: p.from, plan: upgradePlan(p.plan) }));
  const upgraded: LedgerState = {
    version: 2,
    account: state.account,
    calendar: state.calendar,
    now: state.now,
    plans,
    pendingPlan: state.pendingPlan === null ? null : upgradePlan(state.pendingPlan),
    recurring: state.recurring,
    cycles: [],
    overageLimitMillicredits: null,
    autoTopUp: null,
    reservations: [],
  };
  upgraded.cycles = state.cycles.map(({ grants, ...cycle }): CycleState => {
    const currency = planAt(upgraded, cycle.start).currency;
    const additions = grants.map((g): CycleAddition => ({
      source: 'purchase',
      id: g.purchaseId,
      at: cycle.start,
      millicredits: g.millicredits,
      chargeMinor: '0',
      currency,
    }));
    const purchased = grants.reduce((sum, g) => sum + BigInt(g.millicredits), 0n);
    return {
      ...cycle,
      additions,
      purchasedMillicredits: purchased.toString(),
      grantedMillicredits: '0',
      topUps: 0,
      writtenOffMillicredits: '0',
    };
  });
  return upgraded;
}
