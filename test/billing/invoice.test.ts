/**
 * What a closed cycle's invoice charges, and the invoice a declined charge leaves. Account "acme"
 * in UTC created 1 Jan 2026; plan "growth": 1,000 credits, 1 credit/min, $0.12/credit.
 */
import { describe, expect, it } from 'vitest';
import { chargeOf, declinedInvoice } from '../../billing/invoice.js';
import { callLasting, LedgerDriver } from './builders.js';

/** January closed with 1,048 minutes used: 48 credits over, 48 * $0.12 = $5.76 = 576 cents. */
function januaryStatement() {
  const driver = new LedgerDriver();
  driver.book('2026-01-11T10:00:00Z', callLasting('CA1', '2026-01-10T10:00:00Z', 1_048 * 60));
  driver.advance('2026-02-01T01:00:00Z');
  return driver.closed()[0]!;
}

describe('chargeOf', () => {
  it("charges a cycle's overage: 48,000 mc at $0.12/credit = 576 cents, keyed by the cycle's start", () => {
    const { cycleIndex, cycleStart, amountMinor, currency } = chargeOf(januaryStatement());
    expect([cycleIndex, cycleStart]).toEqual([0, '2026-01-01T00:00:00.000Z']);
    expect(`${amountMinor} ${currency}`).toBe('576 USD');
  });

  it('charges 0 for a cycle without overage', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-02-01T01:00:00Z');
    expect(chargeOf(driver.closed()[0]!).amountMinor).toBe('0');
  });
});

describe('declinedInvoice', () => {
  it('at the close: attempt 1 of 576 cents, unpaid, with the reason as the gateway gave it', () => {
    expect(
      declinedInvoice(chargeOf(januaryStatement()), 1, 'card_declined: insufficient funds'),
    ).toEqual({
      cycleIndex: 0,
      cycleStart: '2026-01-01T00:00:00.000Z',
      status: 'payment_failed',
      amountMinor: '576',
      currency: 'USD',
      attempt: 1,
      reference: null,
      error: 'card_declined: insufficient funds',
    });
  });

  it('on a retry: the unpaid invoice declined again is attempt 2, same amount, the new reason', () => {
    const first = declinedInvoice(chargeOf(januaryStatement()), 1, 'card_declined');
    expect(declinedInvoice(first, first.attempt + 1, 'expired_card')).toEqual({
      ...first,
      attempt: 2,
      error: 'expired_card',
    });
  });
});
