/**
 * Requests, applied one at a time by the loop: claimed by id in PostgreSQL (the first claim of
 * an id wins, even across continue-as-new), applied to the ledger, completed with their result,
 * and answered. A replayed id gets the first result back, marked `replayed`.
 */
import { REQUEST_INTERRUPTED_ERROR, UNKNOWN_PLAN_ERROR } from '../../contract/failures.js';
import type { InvoiceOutcome } from '../../contract/invoice-outcome.js';
import { declinedInvoice } from '../../billing/invoice.js';
import { openCycle } from '../../billing/ledger.js';
import { paymentFailedNotice, receiptNotice } from '../../billing/notifications.js';
import { formatCredits, formatInstant } from '../../billing/units.js';
import { openCycleUsage } from '../../billing/usage.js';
import type { BillingRun } from './billing-run.js';
import type { RequestItem } from './inbox.js';
import { declineText, isPaymentDecline } from './invoices.js';
import type { PendingRequest, Reply, RequestKind, RequestTypes } from './request-kinds.js';

type Handlers = {
  [K in RequestKind]: (input: RequestTypes[K]['input'], at: number) => Reply<K> | Promise<Reply<K>>;
};

export class Requests {
  /** True while the loop applies a request: the run is not about to continue as new. */
  busy = false;
  private readonly handlers: Handlers;

  constructor(private readonly run: BillingRun) {
    this.handlers = requestHandlers(run);
  }

  async apply(item: RequestItem): Promise<void> {
    this.busy = true;
    try {
      await this.claimAndExecute(item.request, Math.max(item.at, this.run.ledger.now));
    } finally {
      this.busy = false;
    }
  }

  private async claimAndExecute<K extends RequestKind>(
    request: PendingRequest<K>,
    at: number,
  ): Promise<void> {
    const { accountId, acts, chainId, state } = this.run;
    const key = { accountId, kind: request.kind, requestId: request.id };
    const claimToken = `${chainId}:op${state.seq.op++}`;
    const claim = await acts.billing.claimRequest({
      ...key,
      claimToken,
      request: storedRequest(request.input),
      arrivedAt: at,
    });
    if (!claim.claimed) {
      // What this workflow stored under this kind and id when it completed the first claim.
      const first = claim.result as Reply<K> | null;
      request.answer(
        first === null
          ? {
              ok: false,
              error: {
                type: REQUEST_INTERRUPTED_ERROR,
                message: `${request.kind} ${request.id} was claimed by a run that never finished it; use a new id`,
              },
            }
          : first.ok
            ? { ok: true, value: { ...first.value, replayed: true } }
            : first,
      );
      return;
    }
    const result = await this.handlers[request.kind](request.input, at);
    await acts.billing.completeRequest({ ...key, claimToken, result });
    request.answer(result);
  }
}

/** A request as stored with its id: the validated input, credit amounts as people write them. */
function storedRequest(input: RequestTypes[RequestKind]['input']): Record<string, unknown> {
  if (!('credits' in input)) return input;
  return { ...input, credits: formatCredits(BigInt(input.credits)) };
}

function requestHandlers(run: BillingRun): Handlers {
  const { accountId, acts, ledger, state } = run;
  return {
    purchaseCredits({ purchaseId, credits, recurring }, at) {
      run.apply({ type: 'purchase', at, purchaseId, millicredits: credits, recurring });
      run.send(receiptNotice(ledger, { purchaseId, millicredits: credits, recurring }));
      const value = {
        requestId: purchaseId,
        replayed: false,
        purchaseId,
        purchasedMillicredits: credits,
        recurring,
        cycle: openCycleUsage(ledger),
      };
      return { ok: true, value };
    },

    cancelPurchase({ requestId, purchaseId }, at) {
      const cancelled = ledger.recurring.some((g) => g.purchaseId === purchaseId);
      run.apply({ type: 'cancelPurchase', at, purchaseId });
      return { ok: true, value: { requestId, replayed: false, purchaseId, cancelled } };
    },

    async changePlan({ requestId, planId, effective }, at) {
      const plan = await acts.billing.loadPlan({ planId });
      if (plan === null) {
        return {
          ok: false,
          error: { type: UNKNOWN_PLAN_ERROR, message: `no plan has id ${planId}` },
        };
      }
      const effects = run.apply({ type: 'changePlan', at, plan, effective: effective ?? null });
      const changed = effects.find((e) => e.type === 'planChanged');
      const nextCycle = changed?.effectiveFrom === 'next-cycle';
      const value = {
        requestId,
        replayed: false,
        planId: plan.id,
        effective: nextCycle ? ('next-cycle' as const) : ('now' as const),
        effectiveFrom: formatInstant(nextCycle ? openCycle(ledger).end : at),
        cycle: openCycleUsage(ledger),
      };
      return { ok: true, value };
    },

    /** Charges every unpaid invoice again, oldest first; a decline is an answer, not a failure. */
    async retryPayment({ requestId }, at) {
      const invoices: InvoiceOutcome[] = [];
      for (const unpaid of [...state.unpaidInvoices]) {
        const attempt = unpaid.attempt + 1;
        let outcome: InvoiceOutcome;
        try {
          outcome = await acts.billing.retryCharge({
            accountId,
            cycleStart: Date.parse(unpaid.cycleStart),
            attempt,
          });
        } catch (error) {
          if (!isPaymentDecline(error)) throw error;
          outcome = declinedInvoice(unpaid, attempt, declineText(error));
          const closed = state.closedCycles.find((c) => c.start === unpaid.cycleStart);
          const cycleEnd = Date.parse(closed === undefined ? unpaid.cycleStart : closed.end);
          run.send(paymentFailedNotice(at, outcome, cycleEnd));
        }
        invoices.push(outcome);
        run.recordInvoice(outcome);
      }
      return { ok: true, value: { requestId, replayed: false, invoices } };
    },
  };
}
