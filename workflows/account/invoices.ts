/**
 * The run's view of invoices: each closed cycle's latest outcome, the unpaid list the `usage`
 * query and the search attributes show, and how a declined charge reads.
 */
import { ActivityFailure } from '@temporalio/workflow';
import { isFailure, PAYMENT_DECLINED_ERROR } from '../../contract/failures.js';
import type { InvoiceOutcome } from '../../contract/invoice-outcome.js';
import type { ClosedCycleView } from '../../contract/usage-reply.js';

export interface InvoiceBook {
  closedCycles: ClosedCycleView[];
  unpaidInvoices: InvoiceOutcome[];
}

/** Keeps a closed cycle's invoice and the unpaid list in step with the invoice's latest outcome. */
export function recordInvoice(book: InvoiceBook, outcome: InvoiceOutcome): void {
  book.unpaidInvoices = book.unpaidInvoices.filter((u) => u.cycleStart !== outcome.cycleStart);
  if (outcome.status === 'payment_failed') book.unpaidInvoices.push(outcome);
  const closed = book.closedCycles.find((c) => c.start === outcome.cycleStart);
  if (closed !== undefined) closed.invoice = outcome;
}

/** The gateway's answer that the card was declined: an outcome, not an outage to retry. */
export function isPaymentDecline(error: unknown): error is ActivityFailure {
  return error instanceof ActivityFailure && isFailure(error, PAYMENT_DECLINED_ERROR);
}

export function declineText(error: ActivityFailure): string {
  return error.cause?.message ?? error.message;
}
