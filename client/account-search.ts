/**
 * Accounts as Temporal's visibility store sees them: the search attributes each account workflow
 * upserts (contract/search-attributes.ts), read with a visibility query. Visibility is
 * eventually consistent: a status changed a moment ago may not be listed yet.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { UsageStatus } from '../billing/usage.js';
import { ACCOUNT_WORKFLOW_TYPE } from '../contract/account-workflow.js';
import { ACCOUNT_ID_RE, accountWorkflowId, PLAN_ID_RE } from '../contract/ids.js';
import {
  accountIdKey,
  cycleEndKey,
  planKey,
  statusKey,
  usagePercentKey,
} from '../contract/search-attributes.js';

export const USAGE_STATUSES: readonly UsageStatus[] = ['ok', 'low', 'overage', 'payment_failed'];

export interface AccountSearchView {
  readonly accountId: string;
  /** Null until the workflow has upserted its attributes. */
  readonly status: UsageStatus | null;
  readonly planId: string | null;
  readonly usagePercent: number | null;
  readonly cycleEnd: string | null;
}

export interface AccountSearchFilter {
  readonly status?: UsageStatus;
  readonly planId?: string;
  /** Only these accounts (at most a few hundred: the query names each). */
  readonly accountIds?: readonly string[];
}

const WORKFLOW_ID_PREFIX = accountWorkflowId('');

function viewOf(info: WorkflowExecutionInfo): AccountSearchView {
  const attributes = info.typedSearchAttributes;
  const status = attributes.get(statusKey);
  const cycleEnd = attributes.get(cycleEndKey);
  return {
    accountId: attributes.get(accountIdKey) ?? info.workflowId.slice(WORKFLOW_ID_PREFIX.length),
    status: USAGE_STATUSES.includes(status as UsageStatus) ? (status as UsageStatus) : null,
    planId: attributes.get(planKey) ?? null,
    usagePercent: attributes.get(usagePercentKey) ?? null,
    cycleEnd: cycleEnd?.toISOString() ?? null,
  };
}

/**
 * The visibility query for running account workflows matching `filter`. Every value it quotes is
 * checked first (ids by their patterns, the status by its list), so none can carry a quote.
 */
export function accountSearchQuery(filter: AccountSearchFilter): string {
  const clauses = [`WorkflowType = '${ACCOUNT_WORKFLOW_TYPE}'`, `ExecutionStatus = 'Running'`];
  if (filter.status !== undefined) {
    if (!USAGE_STATUSES.includes(filter.status)) throw new Error(`unknown status ${filter.status}`);
    clauses.push(`${statusKey.name} = '${filter.status}'`);
  }
  if (filter.planId !== undefined) {
    if (!PLAN_ID_RE.test(filter.planId)) throw new Error(`invalid plan id ${filter.planId}`);
    clauses.push(`${planKey.name} = '${filter.planId}'`);
  }
  if (filter.accountIds !== undefined) {
    const ids = filter.accountIds.map((id) => {
      if (!ACCOUNT_ID_RE.test(id)) throw new Error(`invalid account id ${id}`);
      return `'${accountWorkflowId(id)}'`;
    });
    clauses.push(`WorkflowId IN (${ids.join(', ')})`);
  }
  return clauses.join(' AND ');
}

/** The running account workflows matching `filter`, with their search attributes. */
export async function searchAccounts(
  client: Client,
  filter: AccountSearchFilter,
): Promise<AccountSearchView[]> {
  if (filter.accountIds?.length === 0) return [];
  const views: AccountSearchView[] = [];
  for await (const info of client.workflow.list({ query: accountSearchQuery(filter) })) {
    views.push(viewOf(info));
  }
  return views;
}
