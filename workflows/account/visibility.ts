/**
 * What ops see of an account in the Temporal Web UI without opening it: the search attributes
 * they filter by ("every account in overage") and the current details shown on the workflow's
 * page. Pure: computed from the ledger as the workflow holds it.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { availableOf, billedUsedOf, openCycle, type LedgerState } from '../../billing/ledger.js';
import { formatCredits, formatInstant } from '../../billing/units.js';
import { openCycleUsage, usageStatus, type UsageStatus } from '../../billing/usage.js';
import {
  accountIdKey,
  cycleEndKey,
  planKey,
  statusKey,
  usagePercentKey,
} from '../../contract/search-attributes.js';

export interface AccountVisibility {
  status: UsageStatus;
  planId: string;
  /** Whole percent used; null when the cycle has nothing available (the attribute is unset). */
  usagePercent: number | null;
  cycleEnd: string;
}

/**
 * The account's status as the `usage` query reports it: unpaid invoices come first. Usage is
 * the billed usage, as for alerts (written-off credits are not charged).
 */
export function accountStatus(ledger: LedgerState, unpaidInvoices: number): UsageStatus {
  if (unpaidInvoices > 0) return 'payment_failed';
  const cycle = openCycle(ledger);
  return usageStatus(billedUsedOf(cycle), availableOf(cycle));
}

export function accountVisibility(ledger: LedgerState, unpaidInvoices: number): AccountVisibility {
  const cycle = openCycleUsage(ledger);
  return {
    status: accountStatus(ledger, unpaidInvoices),
    planId: cycle.planId,
    usagePercent: cycle.percentUsed,
    cycleEnd: cycle.end,
  };
}

/** The search attributes of a visibility, all of them (a null value unsets that attribute). */
export function searchAttributePairs(
  accountId: string,
  v: AccountVisibility,
): SearchAttributeUpdatePair[] {
  return [
    { key: accountIdKey, value: accountId },
    { key: planKey, value: v.planId },
    { key: statusKey, value: v.status },
    { key: usagePercentKey, value: v.usagePercent },
    { key: cycleEndKey, value: new Date(v.cycleEnd) },
  ];
}

/** The value of an attribute as a comparable string; unset and null are the same. */
function comparable(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return String(value.getTime());
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : JSON.stringify(value);
}

/**
 * The pairs of `next` that differ from what the workflow has now (`current` reads an attribute,
 * e.g. from `workflowInfo().typedSearchAttributes`), so an upsert is recorded only on a change.
 */
export function changedPairs(
  accountId: string,
  current: (key: SearchAttributeUpdatePair['key']) => unknown,
  next: AccountVisibility,
): SearchAttributeUpdatePair[] {
  return searchAttributePairs(accountId, next).filter(
    (pair) => comparable(current(pair.key)) !== comparable(pair.value),
  );
}

/** The workflow's current details (Markdown), shown on its page in the Temporal Web UI. */
export function currentDetails(
  ledger: LedgerState,
  facts: { unpaidInvoices: number; pendingEvents: number },
): string {
  const cycle = openCycleUsage(ledger);
  const credits = (millicredits: string) => formatCredits(BigInt(millicredits));
  const percent = cycle.percentUsed === null ? 'nothing available' : `${cycle.percentUsed}%`;
  const lines = [
    `**Status:** ${accountStatus(ledger, facts.unpaidInvoices)}`,
    `**Cycle ${cycle.index}:** ${cycle.start} to ${cycle.end} (${cycle.daysUntilReset} days until reset), plan \`${cycle.planId}\``,
    `**Used:** ${credits(cycle.usedMillicredits)} of ${credits(cycle.availableMillicredits)} credits (${percent}); remaining ${credits(cycle.remainingMillicredits)}, overage ${credits(cycle.overageMillicredits)}`,
    `**Calls billed:** ${cycle.billableSeconds} s; late adjustments ${cycle.lateAdjustments}`,
    `**Unpaid invoices:** ${facts.unpaidInvoices}; **events not yet recorded:** ${facts.pendingEvents}`,
    `As of ${formatInstant(ledger.now)}. Full view: the \`usage\` query, or \`billing accounts show ${ledger.account.id}\`.`,
  ];
  return lines.join('\n\n');
}
