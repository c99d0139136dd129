/**
 * A closed cycle's invoice as the engine reports it: in the `usage` reply (closed cycles, unpaid
 * invoices) and in `retryPayment`'s reply. Its status follows the charge of the cycle's overage.
 */
import { z } from 'zod';
import { amount, count, currency, instant } from './json-values.js';

export const invoiceOutcomeSchema = z
  .strictObject({
    cycleIndex: count,
    cycleStart: instant,
    status: z.enum(['no_charge', 'due', 'paid', 'payment_failed']),
    amountMinor: amount,
    currency,
    attempt: count,
    reference: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'invoice' });

export type InvoiceOutcome = z.output<typeof invoiceOutcomeSchema>;
