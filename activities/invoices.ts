/**
 * Closing a cycle: its invoice (one per account and cycle) and the overage charge through the
 * payment port. Each payment attempt has its own idempotency key, `<account>:<cycle start>:<n>`;
 * a retried activity reuses its attempt's key, so the gateway never charges it twice, and a paid
 * invoice is never charged again.
 */
import type { Kysely } from 'kysely';
import { chargeOf, type InvoiceOutcome } from '../billing/invoice.js';
import type { CycleStatement } from '../billing/ledger.js';
import { formatInstant, type Currency } from '../billing/units.js';
import {
  findInvoiceOrThrow,
  insertInvoiceOnce,
  recordPaymentOutcome,
} from '../db/repositories/invoices.js';
import type { Database, InvoiceRow } from '../db/schema.js';
import { paymentIdempotencyKey, PaymentDeclinedError, type PaymentPort } from './payments/port.js';

export interface InvoiceDeps {
  readonly db: Kysely<Database>;
  readonly payments: PaymentPort;
}

function outcomeOf(row: InvoiceRow): InvoiceOutcome {
  return {
    cycleIndex: row.cycle_index,
    cycleStart: formatInstant(row.cycle_start.getTime()),
    status: row.status,
    amountMinor: row.amount_minor.toString(),
    currency: row.currency,
    attempt: row.payment_attempt,
    reference: row.payment_reference,
    error: row.payment_error,
  };
}

export function createInvoiceActivities(deps: InvoiceDeps) {
  /**
   * Charges a due invoice with attempt `attempt`. A decline is recorded on the invoice and then
   * thrown as {@link PaymentDeclinedError} (non-retryable); any other failure is retried by
   * Temporal with the same key.
   */
  async function charge(accountId: string, cycleStart: Date, attempt: number) {
    const invoice = await findInvoiceOrThrow(deps.db, accountId, cycleStart);
    if (invoice.status === 'paid' || invoice.status === 'no_charge') return outcomeOf(invoice);
    const key = paymentIdempotencyKey(accountId, formatInstant(cycleStart.getTime()), attempt);
    try {
      const { reference } = await deps.payments.charge({
        idempotencyKey: key,
        accountId,
        cycleStart: cycleStart.getTime(),
        attempt,
        amountMinor: invoice.amount_minor,
        currency: invoice.currency as Currency,
      });
      await recordPaymentOutcome(deps.db, accountId, cycleStart, {
        status: 'paid',
        attempt,
        reference,
        error: null,
      });
    } catch (error) {
      if (error instanceof PaymentDeclinedError) {
        await recordPaymentOutcome(deps.db, accountId, cycleStart, {
          status: 'payment_failed',
          attempt,
          reference: null,
          error: `${error.declineCode}: ${error.message}`,
        });
      }
      throw error;
    }
    return outcomeOf(await findInvoiceOrThrow(deps.db, accountId, cycleStart));
  }

  return {
    /** Writes the closed cycle's invoice once and charges its overage (attempt 1). */
    async closeCycle(input: {
      accountId: string;
      statement: CycleStatement;
    }): Promise<InvoiceOutcome> {
      const s = input.statement;
      const amount = BigInt(chargeOf(s).amountMinor);
      const invoice = await insertInvoiceOnce(deps.db, {
        account_id: input.accountId,
        cycle_start: new Date(s.start),
        cycle_end: new Date(s.end),
        cycle_index: s.index,
        statement: JSON.stringify(s),
        currency: s.currency,
        amount_minor: amount,
        status: amount > 0n ? 'due' : 'no_charge',
      });
      if (invoice.status !== 'due') return outcomeOf(invoice);
      return charge(input.accountId, invoice.cycle_start, Math.max(1, invoice.payment_attempt));
    },

    /** A new payment attempt on an invoice whose payment failed (ops' `retryPayment`). */
    async retryCharge(input: {
      accountId: string;
      cycleStart: number;
      attempt: number;
    }): Promise<InvoiceOutcome> {
      return charge(input.accountId, new Date(input.cycleStart), input.attempt);
    },
  };
}
