/**
 * The account workflow's public contract: its type, id, messages and their JSON shapes. The names
 * are the API a telephony service (in any language) uses; docs/api.md documents each of them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { IngestRejectionCode } from '../../activities/ingest.js';
import type { InvoiceOutcome } from '../../activities/invoices.js';
import type { Insights } from '../../billing/insights.js';
import type { PlanChangeTiming } from '../../billing/ledger.js';
import { creditsString } from '../../billing/schema-helpers.js';
import type { OpenCycleUsage, StatementView, UsageStatus } from '../../billing/usage.js';

export const ACCOUNT_WORKFLOW_TYPE = 'accountBilling';
export const DEFAULT_TASK_QUEUE = 'billing';
/** The most events one `recordCalls` update may carry. */
export const MAX_EVENTS_PER_UPDATE = 500;

/** Account ids are what workflow ids and URLs can carry without escaping. */
export const ACCOUNT_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
/** Plan ids name statements and invoices: printable, no spaces. */
export const PLAN_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
/** Client-chosen request ids (purchases, cancels, plan changes, payment retries). */
export const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export function accountWorkflowId(accountId: string): string {
  return `billing-${accountId}`;
}

export interface AccountBillingInput {
  accountId: string;
}

// ---------------------------------------------------------------------------------------------
// Signals and updates in.

/** One call event (BILLING-RULES.md section 3), fire and forget; duplicates are fine. */
export const callCompleted = defineSignal<[unknown]>('callCompleted');

export interface RecordCallsInput {
  events: unknown[];
}
export type CallOutcome =
  | { callId: string; outcome: 'accepted' | 'duplicate' }
  | { callId: string | null; outcome: 'rejected'; reason: IngestRejectionCode; detail: string };
export interface RecordCallsResult {
  outcomes: CallOutcome[];
}
/** Up to 500 events; replies once they are durably recorded, one outcome per event, in order. */
export const recordCalls = defineUpdate<RecordCallsResult, [RecordCallsInput]>('recordCalls');

const requestId = z
  .string()
  .regex(REQUEST_ID_RE, 'an id is 1 to 128 characters of [A-Za-z0-9._:-]');

export const recordCallsSchema = z.object({
  events: z
    .array(z.unknown())
    .max(MAX_EVENTS_PER_UPDATE, `at most ${MAX_EVENTS_PER_UPDATE} events per recordCalls`),
});

export const purchaseCreditsSchema = z.object({
  purchaseId: requestId,
  credits: creditsString,
  recurring: z.boolean().default(false),
});
export type PurchaseCreditsInput = z.input<typeof purchaseCreditsSchema>;

export const cancelPurchaseSchema = z.object({ requestId, purchaseId: requestId });
export type CancelPurchaseInput = z.input<typeof cancelPurchaseSchema>;

export const changePlanSchema = z.object({
  requestId,
  planId: z.string().regex(PLAN_ID_RE, 'a plan id is 1 to 64 characters of [A-Za-z0-9._:-]'),
  effective: z.enum(['now', 'next-cycle']).optional(),
});
export type ChangePlanInput = z.input<typeof changePlanSchema>;

export const retryPaymentSchema = z.object({ requestId });
export type RetryPaymentInput = z.input<typeof retryPaymentSchema>;

/** What every request update answers: `replayed` when the id was used before. */
interface RequestReply {
  requestId: string;
  replayed: boolean;
}

export interface PurchaseCreditsResult extends RequestReply {
  purchaseId: string;
  purchasedMillicredits: string;
  recurring: boolean;
  /** The open cycle right after the purchase. */
  cycle: OpenCycleUsage;
}
export interface CancelPurchaseResult extends RequestReply {
  purchaseId: string;
  /** False when no active recurring purchase had this id (nothing changed). */
  cancelled: boolean;
}
export interface ChangePlanResult extends RequestReply {
  planId: string;
  effective: PlanChangeTiming;
  /** When the plan takes effect (ISO UTC). */
  effectiveFrom: string;
  cycle: OpenCycleUsage;
}
export interface RetryPaymentResult extends RequestReply {
  invoices: InvoiceOutcome[];
}

export const purchaseCredits = defineUpdate<PurchaseCreditsResult, [PurchaseCreditsInput]>(
  'purchaseCredits',
);
export const cancelPurchase = defineUpdate<CancelPurchaseResult, [CancelPurchaseInput]>(
  'cancelPurchase',
);
export const changePlan = defineUpdate<ChangePlanResult, [ChangePlanInput]>('changePlan');
export const retryPayment = defineUpdate<RetryPaymentResult, [RetryPaymentInput]>('retryPayment');

// ---------------------------------------------------------------------------------------------
// Query out.

export interface ClosedCycleView extends StatementView {
  invoice: InvoiceOutcome | null;
}

export interface UsageReply {
  accountId: string;
  /** The workflow time the figures are as of (ISO UTC). */
  asOf: string;
  status: UsageStatus;
  cycle: OpenCycleUsage;
  /** The previous cycle while it is in its grace window (late calls still land there). */
  inGrace: StatementView | null;
  /** The last closed cycles, newest first, with their invoices. */
  closedCycles: ClosedCycleView[];
  /** Invoices whose payment failed and was not yet retried successfully. */
  unpaidInvoices: InvoiceOutcome[];
  /** Events received and not yet recorded (they count once their batch is recorded). */
  pendingEvents: number;
  /** Daily usage, average, peak days, trend, projection and an upgrade suggestion. */
  insights: Insights;
  /**
   * Recurring purchases not cancelled, in the order bought: each is granted again at every cycle
   * start until `cancelPurchase` names it.
   */
  recurringPurchases: RecurringPurchaseView[];
}

export interface RecurringPurchaseView {
  purchaseId: string;
  /** Credits granted at each cycle start. */
  millicredits: string;
}
export const usage = defineQuery<UsageReply>('usage');
