/**
 * The default payment adapter: there is no card gateway yet, so a charge records the amount to
 * collect in the ledger (`payment_collections`), for collection outside this system. It never
 * declines.
 */
import type { Kysely } from 'kysely';
import { recordCollection } from '../../db/repositories/payment-collections.js';
import type { Database } from '../../db/schema.js';
import type { PaymentPort } from './port.js';

/**
 * One row per idempotency key: a repeated key finds the row its first call wrote and gets the
 * same reference, `collect:<idempotency key>`, so a retried close records nothing twice.
 */
export function createLedgerPaymentAdapter(db: Kysely<Database>): PaymentPort {
  return {
    async charge(request) {
      const row = await recordCollection(db, {
        idempotency_key: request.idempotencyKey,
        account_id: request.accountId,
        cycle_start: new Date(request.cycleStart),
        amount_minor: request.amountMinor,
        currency: request.currency,
      });
      return { reference: `collect:${row.idempotency_key}` };
    },
  };
}
