/**
 * `preview`: the billing rules as a function from a scenario to the statements they produce
 * (BILLING-RULES.md section 8). The reference every other part of the product is checked against.
 */
import { classifyCall, InMemoryCallDedup, type RejectionCode } from './call-event.js';
import {
  applyOperation,
  createLedger,
  statementOf,
  type CycleStatement,
  type LedgerOperation,
  type LedgerState,
} from './ledger.js';
import { parseScenario, type Scenario, type ScenarioOperation } from './scenario.js';
import { formatInstant } from './units.js';
import { statementView } from './usage.js';

export interface PreviewCycle {
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

export interface PreviewOutput {
  cycles: PreviewCycle[];
  rejected: { callId: string | null; at: string; reason: RejectionCode }[];
  duplicates: number;
}

/**
 * A statement as preview writes it: its {@link statementView} without the currency and the
 * available credits, amounts as exact integers (JSON numbers), in the same key order.
 */
function toPreviewCycle(s: CycleStatement): PreviewCycle {
  const { currency: _currency, availableMillicredits: _available, ...view } = statementView(s);
  return {
    ...view,
    allowanceMillicredits: BigInt(view.allowanceMillicredits),
    purchasedMillicredits: BigInt(view.purchasedMillicredits),
    usedMillicredits: BigInt(view.usedMillicredits),
    overageMillicredits: BigInt(view.overageMillicredits),
    overageChargeMinor: view.overageChargeMinor === null ? null : BigInt(view.overageChargeMinor),
  };
}

/** Operations in order of `at`, ties in the order given (Array.prototype.sort is stable). */
function inOrder(operations: readonly ScenarioOperation[]): ScenarioOperation[] {
  return [...operations].sort((a, b) => a.at - b.at);
}

/** Runs a validated scenario through the ledger. */
export function previewScenario(scenario: Scenario): PreviewOutput {
  const { account } = scenario;
  const facts = {
    accountId: account.id,
    createdAt: account.createdAt,
    maxLateSeconds: account.maxLateSeconds,
  };
  const calls = new InMemoryCallDedup();
  const purchaseIds = new Set<string>();
  const closed: CycleStatement[] = [];
  const output: PreviewOutput = { cycles: [], rejected: [], duplicates: 0 };

  let { state } = createLedger(account, scenario.plan);
  const apply = (op: LedgerOperation): void => {
    let effects;
    ({ state, effects } = applyOperation(state, op));
    for (const effect of effects) if (effect.type === 'cycleClosed') closed.push(effect.statement);
  };

  for (const op of inOrder(scenario.operations)) {
    switch (op.type) {
      case 'call': {
        const result = classifyCall(op.event, facts, op.at, calls);
        if (result.outcome === 'accepted')
          apply({ type: 'bookCall', at: op.at, call: result.call });
        else if (result.outcome === 'duplicate') output.duplicates += 1;
        else
          output.rejected.push({
            callId: result.callId,
            at: formatInstant(op.at),
            reason: result.reason,
          });
        break;
      }
      case 'purchase':
        // A purchase id already used by an earlier purchase is ignored.
        if (purchaseIds.has(op.purchaseId)) break;
        purchaseIds.add(op.purchaseId);
        apply({
          type: 'purchase',
          at: op.at,
          purchaseId: op.purchaseId,
          millicredits: op.credits,
          recurring: op.recurring,
        });
        break;
      case 'cancelPurchase':
        apply({ type: 'cancelPurchase', at: op.at, purchaseId: op.purchaseId });
        break;
      case 'changePlan':
        apply({ type: 'changePlan', at: op.at, plan: op.plan, effective: op.effective ?? null });
        break;
    }
  }
  apply({ type: 'advance', at: scenario.until });

  output.cycles = [...closed, ...openStatements(state)].map(toPreviewCycle);
  return output;
}

function openStatements(state: LedgerState): CycleStatement[] {
  return state.cycles.map((cycle) => statementOf(state, cycle, false));
}

/** Validates and runs a scenario given as parsed JSON; throws MalformedScenarioError. */
export function runPreview(input: unknown): PreviewOutput {
  return previewScenario(parseScenario(input));
}
