/**
 * The request updates: buying credits, cancelling a recurring purchase, changing plan, retrying
 * a failed payment. Each carries a client-chosen id and is applied once per id: sent again, it
 * answers its first result with `replayed: true`.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { PlanChangeTiming } from '../billing/ledger.js';
import { creditsString } from '../billing/schema-helpers.js';
import type { OpenCycleUsage } from '../billing/usage.js';
import { planIdSchema, requestIdSchema } from './ids.js';
import type { InvoiceOutcome } from './invoice-outcome.js';

export const purchaseCreditsSchema = z.object({
  purchaseId: requestIdSchema,
  credits: creditsString,
  recurring: z.boolean().default(false),
});
export type PurchaseCreditsInput = z.input<typeof purchaseCreditsSchema>;

export const cancelPurchaseSchema = z.object({
  requestId: requestIdSchema,
  purchaseId: requestIdSchema,
});
export type CancelPurchaseInput = z.input<typeof cancelPurchaseSchema>;

export const changePlanSchema = z.object({
  requestId: requestIdSchema,
  planId: planIdSchema,
  effective: z.enum(['now', 'next-cycle']).optional(),
});
export type ChangePlanInput = z.input<typeof changePlanSchema>;

export const retryPaymentSchema = z.object({ requestId: requestIdSchema });
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
