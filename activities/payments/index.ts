/**
 * The payment port and the adapter the configuration chooses: `ledger` (the default) records the
 * amount to collect, `test` is the scripted gateway that integration tests drive through files.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Config } from '../../config/config.js';
import { createLedgerPaymentAdapter } from './ledger-adapter.js';
import type { PaymentPort } from './port.js';
import { createTestPaymentAdapter } from './test-adapter.js';

export {
  type ChargeRequest,
  type ChargeResult,
  PaymentDeclinedError,
  type PaymentPort,
  paymentIdempotencyKey,
} from './port.js';

export function createPaymentPort(config: Config['payments'], db: Kysely<Database>): PaymentPort {
  switch (config.adapter) {
    case 'ledger':
      return createLedgerPaymentAdapter(db);
    case 'test':
      // parseConfig already refuses `test` without both paths; a hand-built Config may not.
      if (config.testLogPath === null || config.testControlPath === null) {
        throw new Error(
          'the test payment adapter needs testLogPath and testControlPath (PAYMENT_TEST_LOG, PAYMENT_TEST_CONTROL)',
        );
      }
      return createTestPaymentAdapter({
        logPath: config.testLogPath,
        controlPath: config.testControlPath,
      });
  }
}
