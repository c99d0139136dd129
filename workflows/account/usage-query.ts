/**
 * The `usage` query's answer: the carried state with a copy of its ledger advanced to now, so a
 * timer not yet fired changes nothing (a query never writes).
 */
import { computeInsights, type Insights } from '../../billing/insights.js';
import {
  applyOperation,
  availableOf,
  openCycle,
  statementOf,
  type LedgerState,
} from '../../billing/ledger.js';
import { formatInstant } from '../../billing/units.js';
import { openCycleUsage, statementView } from '../../billing/usage.js';
import type { UsageReply } from '../../contract/usage-reply.js';
import type { CarriedState } from './run-state.js';
import { accountStatus } from './visibility.js';

export function usageReply(
  accountId: string,
  state: CarriedState,
  pendingEvents: number,
  now: number,
): UsageReply {
  const view = structuredCopy(state.ledger);
  applyOperation(view, { type: 'advance', at: Math.max(now, view.now) });
  const grace = view.cycles.length > 1 ? view.cycles[0]! : null;
  return {
    accountId,
    asOf: formatInstant(view.now),
    status: accountStatus(view, state.unpaidInvoices.length),
    cycle: openCycleUsage(view),
    inGrace: grace === null ? null : statementView(statementOf(view, grace, false)),
    closedCycles: state.closedCycles,
    unpaidInvoices: state.unpaidInvoices,
    pendingEvents,
    insights: insightsOf(view, state),
    recurringPurchases: view.recurring.map(({ purchaseId, millicredits }) => ({
      purchaseId,
      millicredits,
    })),
  };
}

/** Insights as of the ledger's time, from the days and closed cycles the run carries. */
export function insightsOf(
  ledger: LedgerState,
  { daily, closedCycles }: Pick<CarriedState, 'daily' | 'closedCycles'>,
): Insights {
  const open = openCycle(ledger);
  return computeInsights({
    now: ledger.now,
    // The ledger's own zone: a query can come before this run's start-up activity returned.
    timeZone: ledger.calendar.timeZone,
    accountCreatedAt: ledger.account.createdAt,
    cycle: {
      index: open.index,
      start: open.start,
      end: open.end,
      allowanceMillicredits: open.allowanceMillicredits,
      availableMillicredits: availableOf(open).toString(),
      usedMillicredits: open.usedMillicredits,
    },
    daily,
    pastCycles: closedCycles,
  });
}

/** The ledger state is JSON-safe by design: a JSON round trip is its deep copy. */
function structuredCopy(ledger: LedgerState): LedgerState {
  return JSON.parse(JSON.stringify(ledger)) as LedgerState;
}
