/**
 * A closed cycle's invoice as the product shows it (the workflow's state and replies, the emails):
 * what it charges, and how its payment went. The invoice itself is written by the invoice
 * activity, once per account and cycle; a declined charge is decided here, so the close and a
 * payment retry show it alike. Pure.
 */
import type { CycleStatement } from './ledger.js';
import { formatInstant } from './units.js';

export type InvoiceStatus = 'no_charge' | 'due' | 'paid' | 'payment_failed';

export interface InvoiceOutcome {
  cycleIndex: number;
  /** The cycle's start (ISO UTC): with the account, the invoice's key. */
  cycleStart: string;
  status: InvoiceStatus;
  /** Minor units of `currency`, as a decimal string. */
  amountMinor: string;
  currency: string;
  /** Payment attempts so far (1 at the close). */
  attempt: number;
  /** The gateway's reference of the payment, once paid. */
  reference: string | null;
  /** Why the last attempt failed, as the gateway said it. */
  error: string | null;
}

/** What an invoice charges: a cycle's amount in its currency. */
export type InvoiceCharge = Pick<
  InvoiceOutcome,
  'cycleIndex' | 'cycleStart' | 'amountMinor' | 'currency'
>;

/** What a closed cycle's invoice charges: the core's overage charge of the cycle. */
export function chargeOf(statement: CycleStatement): InvoiceCharge {
  return {
    cycleIndex: statement.index,
    cycleStart: formatInstant(statement.start),
    amountMinor: statement.overageChargeMinor ?? '0',
    currency: statement.currency,
  };
}

/**
 * The invoice once the gateway declined attempt `attempt` of its charge (1 at the close, the next
 * one on a retry): unpaid, with the gateway's reason.
 */
export function declinedInvoice(
  charge: InvoiceCharge,
  attempt: number,
  reason: string,
): InvoiceOutcome {
  return {
    cycleIndex: charge.cycleIndex,
    cycleStart: charge.cycleStart,
    status: 'payment_failed',
    amountMinor: charge.amountMinor,
    currency: charge.currency,
    attempt,
    reference: null,
    error: reason,
  };
}
