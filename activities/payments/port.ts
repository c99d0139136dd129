/**
 * The payment port: how a cycle's overage is collected. The close activity charges through it with
 * an idempotency key per attempt, `<accountId>:<cycle start, ISO>:<attempt>`; a gateway given the
 * same key twice must return the first result without charging again (as card gateways do).
 */
import type { Currency, EpochMs } from '../../billing/units.js';
import { PAYMENT_DECLINED_ERROR } from '../../contract/failures.js';

export interface ChargeRequest {
  readonly idempotencyKey: string;
  readonly accountId: string;
  readonly cycleStart: EpochMs;
  /** 1 for the charge at close; each `retryPayment` by ops makes a new attempt. */
  readonly attempt: number;
  /** Minor units of `currency`; always > 0 (nothing is charged for a cycle without overage). */
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

export interface ChargeResult {
  /** The gateway's reference for the charge, stored on the invoice. */
  readonly reference: string;
}

/**
 * The gateway refused the charge (card declined, insufficient funds). Not retryable: the account
 * shows `payment_failed` until ops call `retryPayment`. The class name is the failure type the
 * workflow matches, so it must not change.
 */
export class PaymentDeclinedError extends Error {
  override readonly name = PAYMENT_DECLINED_ERROR;
  constructor(
    message: string,
    readonly declineCode: string,
  ) {
    super(message);
  }
}

export interface PaymentPort {
  /** Charges once per idempotency key; throws {@link PaymentDeclinedError} on a decline. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

export function paymentIdempotencyKey(accountId: string, cycleStart: string, attempt: number) {
  return `${accountId}:${cycleStart}:${attempt}`;
}
