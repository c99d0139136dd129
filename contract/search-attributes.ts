/**
 * The account workflow's custom search attributes: what ops filter and sort accounts by in the
 * Temporal Web UI and `billing accounts list --status`. The dev server's SQLite visibility store
 * allows 3 Int, 3 Datetime and 10 Keyword custom attributes; these use 1, 1 and 3. Registered by
 * the dev stack, the test harness and the compose stack (workers/registered-search-attributes.ts).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const accountIdKey = defineSearchAttributeKey(
  'BillingAccountId',
  SearchAttributeType.KEYWORD,
);
/** The plan in effect in the open cycle. */
export const planKey = defineSearchAttributeKey('BillingPlan', SearchAttributeType.KEYWORD);
/** `ok`, `low`, `overage` or `payment_failed`, as the `usage` query's `status`. */
export const statusKey = defineSearchAttributeKey('BillingStatus', SearchAttributeType.KEYWORD);
/** Whole percent of the open cycle's available credits used (floor, may pass 100). */
export const usagePercentKey = defineSearchAttributeKey(
  'BillingUsagePercent',
  SearchAttributeType.INT,
);
/** When the open cycle ends. */
export const cycleEndKey = defineSearchAttributeKey(
  'BillingCycleEnd',
  SearchAttributeType.DATETIME,
);

export const accountSearchAttributeKeys = [
  accountIdKey,
  planKey,
  statusKey,
  usagePercentKey,
  cycleEndKey,
] as const;
