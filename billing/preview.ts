/**
 * `preview`: the billing rules as a function from a scenario to the statements they produce
 * (BILLING-RULES.md section 8). The reference every other part of the product is checked against.
 */
import { classifyCall, InMemoryCallDedup, type RejectionCode } from './call-event.js';
import {
  applyOperation,
  createLedger,
  statementOf,
  type AdmissionRefusal,
  type CycleState,
  type CycleStatement,
  type LedgerOperation,
} from './ledger.js';
import { parseScenario, type Scenario, type ScenarioOperation } from './scenario.js';
import { formatInstant } from './units.js';
import { statementView } from './usage.js';

/** An addition of purchased credits to a cycle (section 9). */
export interface PreviewPurchase {
  source: 'purchase' | 'autoTopUp';
  id: string;
  at: string;
  millicredits: bigint;
  chargeMinor: bigint;
  currency: string;
}

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
  grantedMillicredits: bigint;
  writtenOffMillicredits: bigint;
  purchases: PreviewPurchase[];
  alerts: { thresholdPercent: number; at: string }[];
}

export interface PreviewAdmission {
  callId: string;
  at: string;
  allowed: boolean;
  maxSeconds: number | null;
  reason: AdmissionRefusal | null;
}

export interface PreviewOutput {
  cycles: PreviewCycle[];
  rejected: { callId: string | null; at: string; reason: RejectionCode }[];
  duplicates: number;
  admissions: PreviewAdmission[];
}

/**
 * A cycle as preview writes it: its statement's {@link statementView} without the currency and
 * the available credits, amounts as exact integers (JSON numbers), then the version 2 keys
 * before the alerts (the key order of section 8).
 */
function toPreviewCycle(s: CycleStatement, cycle: CycleState): PreviewCycle {
  const view = statementView(s);
  return {
    index: view.index,
    start: view.start,
    end: view.end,
    closed: view.closed,
    planId: view.planId,
    allowanceMillicredits: BigInt(view.allowanceMillicredits),
    purchasedMillicredits: BigInt(view.purchasedMillicredits),
    usedMillicredits: BigInt(view.usedMillicredits),
    billableSeconds: view.billableSeconds,
    lateAdjustments: view.lateAdjustments,
    overageMillicredits: BigInt(view.overageMillicredits),
    overageChargeMinor: view.overageChargeMinor === null ? null : BigInt(view.overageChargeMinor),
    grantedMillicredits: BigInt(cycle.grantedMillicredits),
    writtenOffMillicredits: BigInt(cycle.writtenOffMillicredits),
    purchases: cycle.additions.flatMap((a) =>
      a.source === 'grant'
        ? []
        : [
            {
              source: a.source,
              id: a.id,
              at: formatInstant(a.at),
              millicredits: BigInt(a.millicredits),
              chargeMinor: BigInt(a.chargeMinor),
              currency: a.currency,
            },
          ],
    ),
    alerts: view.alerts,
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
  const grantIds = new Set<string>();
  const closed: { statement: CycleStatement; cycle: CycleState }[] = [];
  const output: PreviewOutput = { cycles: [], rejected: [], duplicates: 0, admissions: [] };

  let { state } = createLedger(account, scenario.plan);
  const apply = (op: LedgerOperation): void => {
    let effects;
    ({ state, effects } = applyOperation(state, op));
    for (const effect of effects) {
      if (effect.type === 'cycleClosed') closed.push(effect);
      else if (effect.type === 'admission') {
        output.admissions.push({
          callId: effect.callId,
          at: formatInstant(effect.at),
          ...effect.decision,
        });
      }
    }
  };

  /**
   * Applies an operation whose id the store has not seen; one it has is ignored, but still
   * reaches the ledger as an `advance`: every operation ends with the top-up check.
   */
  const applyOnce = (seen: Set<string>, id: string, op: LedgerOperation): void => {
    if (seen.has(id)) {
      apply({ type: 'advance', at: op.at });
      return;
    }
    seen.add(id);
    apply(op);
  };

  // Every operation reaches the ledger, whatever its outcome: each ends with the top-up check.
  for (const op of inOrder(scenario.operations)) {
    const { at } = op;
    switch (op.type) {
      case 'call': {
        const result = classifyCall(op.event, facts, at, calls);
        if (result.outcome === 'accepted') {
          apply({ type: 'bookCall', at, call: result.call });
          break;
        }
        if (result.outcome === 'duplicate') {
          output.duplicates += 1;
          apply({ type: 'callNotBooked', at, callId: result.call.callId, outcome: 'duplicate' });
          break;
        }
        const { callId, reason } = result;
        output.rejected.push({ callId, at: formatInstant(at), reason });
        apply({ type: 'callNotBooked', at, callId, outcome: reason });
        break;
      }
      case 'purchase':
        // A purchase id already used by an earlier purchase is ignored.
        applyOnce(purchaseIds, op.purchaseId, {
          type: 'purchase',
          at,
          purchaseId: op.purchaseId,
          millicredits: op.credits,
          recurring: op.recurring,
          priceMicros: op.pricePerCredit ?? null,
        });
        break;
      case 'cancelPurchase':
        apply({ type: 'cancelPurchase', at, purchaseId: op.purchaseId });
        break;
      case 'changePlan':
        apply({ type: 'changePlan', at, plan: op.plan, effective: op.effective ?? null });
        break;
      case 'grant': {
        // A grant id already used by an earlier grant is ignored (its own namespace).
        const { grantId, credits, reason } = op;
        applyOnce(grantIds, grantId, { type: 'grant', at, grantId, millicredits: credits, reason });
        break;
      }
      case 'setOverageLimit':
        apply({ type: 'setOverageLimit', at, millicredits: op.credits });
        break;
      case 'admit':
        apply({
          type: 'admit',
          at,
          callId: op.callId,
          alreadyRecorded: calls.acceptedVersion(op.callId) !== undefined,
        });
        break;
      case 'setAutoTopUp': {
        const rule = op.autoTopUp;
        apply({
          type: 'setAutoTopUp',
          at,
          rule:
            rule === null
              ? null
              : {
                  belowMillicredits: rule.belowCredits,
                  millicredits: rule.credits,
                  maxPerCycle: rule.maxPerCycle,
                },
        });
        break;
      }
    }
  }
  apply({ type: 'advance', at: scenario.until });

  const open = state.cycles.map((cycle) => ({
    statement: statementOf(state, cycle, false),
    cycle,
  }));
  output.cycles = [...closed, ...open].map((c) => toPreviewCycle(c.statement, c.cycle));
  return output;
}

/** Validates and runs a scenario given as parsed JSON; throws MalformedScenarioError. */
export function runPreview(input: unknown): PreviewOutput {
  return previewScenario(parseScenario(input));
}
