/**
 * The account's requests (purchases, cancels, plan changes, payment retries) as one typed table:
 * each kind's update, input schema, id and result type. The workflow registers, queues, claims
 * and answers every kind through it, so a kind's result type follows it from handler to caller.
 */
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import {
  cancelPurchase,
  cancelPurchaseSchema,
  changePlan,
  changePlanSchema,
  purchaseCredits,
  purchaseCreditsSchema,
  retryPayment,
  retryPaymentSchema,
  type CancelPurchaseResult,
  type ChangePlanResult,
  type PurchaseCreditsResult,
  type RetryPaymentResult,
} from '../../contract/requests.js';

/** A kind's input schema, its input as validated, and the result its update answers. */
interface Kind<S extends z.ZodType, R> {
  schema: S;
  input: z.output<S>;
  result: R;
}

export interface RequestTypes {
  purchaseCredits: Kind<typeof purchaseCreditsSchema, PurchaseCreditsResult>;
  cancelPurchase: Kind<typeof cancelPurchaseSchema, CancelPurchaseResult>;
  changePlan: Kind<typeof changePlanSchema, ChangePlanResult>;
  retryPayment: Kind<typeof retryPaymentSchema, RetryPaymentResult>;
}
export type RequestKind = keyof RequestTypes;

export interface RequestDefinition<K extends RequestKind> {
  update: UpdateDefinition<RequestTypes[K]['result'], [z.input<RequestTypes[K]['schema']>]>;
  schema: z.ZodType<RequestTypes[K]['input'], z.input<RequestTypes[K]['schema']>>;
  /** The id that makes the request idempotent. */
  idOf: (input: RequestTypes[K]['input']) => string;
}

/** In the order their handlers are registered. */
export const REQUEST_KINDS: { [K in RequestKind]: RequestDefinition<K> } = {
  purchaseCredits: {
    update: purchaseCredits,
    schema: purchaseCreditsSchema,
    idOf: (input) => input.purchaseId,
  },
  cancelPurchase: {
    update: cancelPurchase,
    schema: cancelPurchaseSchema,
    idOf: (i) => i.requestId,
  },
  changePlan: { update: changePlan, schema: changePlanSchema, idOf: (i) => i.requestId },
  retryPayment: { update: retryPayment, schema: retryPaymentSchema, idOf: (i) => i.requestId },
};

export interface RequestError {
  type: string;
  message: string;
}

/** A request's answer as stored in PostgreSQL: a replayed id gets exactly this back. */
export type Reply<K extends RequestKind = RequestKind> =
  { ok: true; value: RequestTypes[K]['result'] } | { ok: false; error: RequestError };

/** A queued request, with where its answer goes: the pair is typed by the same kind. */
export type PendingRequest<K extends RequestKind = RequestKind> = {
  [P in K]: { kind: P; id: string; input: RequestTypes[P]['input']; answer(reply: Reply<P>): void };
}[K];
