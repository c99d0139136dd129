/**
 * Priced purchases and grants (BILLING-RULES.md sections 9 and 10), with hand-worked numbers.
 * Unless a test says otherwise: account "acme" in UTC created 1 Jan 2026, cycles on the 1st;
 * plan "growth": 1,000 credits, 1 credit/min, $0.12 overage.
 * charge = roundHalfUp(millicredits * priceMicros * 10^exponent / 10^9) minor units.
 */
import { describe, expect, it } from 'vitest';
import type { LedgerEffect } from '../../billing/ledger.js';
import {
  callLasting,
  callOp,
  grantOp,
  ledgerOn,
  ms,
  planJson,
  previewOf,
  purchaseOp,
  topUpOp,
  type Json,
} from './builders.js';

/** The preview of a scenario on `planJson(planOverrides)` (January closed, February open). */
const preview = (planOverrides: Json, operations: Json[]) =>
  previewOf(planJson(planOverrides), operations);

/** A `purchases` entry as preview lists it (section 9). */
const listed = (
  source: 'purchase' | 'autoTopUp',
  id: string,
  at: string,
  millicredits: bigint,
  chargeMinor: bigint,
  currency = 'USD',
) => ({ source, id, at, millicredits, chargeMinor, currency });

const charged = (addition: LedgerEffect) =>
  addition.type === 'creditsAdded' ? [addition.addition.id, addition.charge] : [];

describe('purchase charges (section 9)', () => {
  it('USD at $0.05: 100 credits = 500 cents, 12.345 credits = 61.725 -> 62 cents, 10 credits at an agreed $0.0025 = 2.5 -> 3 cents (half up)', () => {
    // 100,000 mc * 50,000 * 10^2 / 10^9 = 500; 12,345 * 50,000 * 100 / 10^9 = 61.725;
    // 10,000 * 2,500 * 100 / 10^9 = 2.5.
    const out = preview({ purchasePricePerCredit: '0.05' }, [
      purchaseOp('2026-01-10T00:00:00Z', 'p1', '100'),
      purchaseOp('2026-01-11T00:00:00Z', 'p2', '12.345'),
      purchaseOp('2026-01-12T00:00:00Z', 'p3', '10', { pricePerCredit: '0.0025' }),
    ]);
    expect(out.cycles[0]!.purchases).toEqual([
      listed('purchase', 'p1', '2026-01-10T00:00:00.000Z', 100_000n, 500n),
      listed('purchase', 'p2', '2026-01-11T00:00:00.000Z', 12_345n, 62n),
      listed('purchase', 'p3', '2026-01-12T00:00:00.000Z', 10_000n, 3n),
    ]);
    // 100,000 + 12,345 + 10,000: the sum of the list.
    expect(out.cycles[0]!.purchasedMillicredits).toBe(122_345n);
  });

  it('JPY (no decimals) at ¥1.5: 7 credits = 7,000 * 1,500,000 / 10^9 = 10.5 -> ¥11', () => {
    const out = preview({ currency: 'JPY', purchasePricePerCredit: '1.5' }, [
      purchaseOp('2026-01-10T00:00:00Z', 'p1', '7'),
    ]);
    expect(out.cycles[0]!.purchases).toMatchObject([{ chargeMinor: 11n, currency: 'JPY' }]);
  });

  it('a plan without a purchase price charges 0 in its currency', () => {
    const out = preview({ currency: 'EUR' }, [purchaseOp('2026-01-10T00:00:00Z', 'p1', '100')]);
    expect(out.cycles[0]!.purchases).toMatchObject([{ chargeMinor: 0n, currency: 'EUR' }]);
  });

  it('a recurring purchase is charged when bought ($0.05: 50 cents) and again at each cycle start at the price of the plan changed for that boundary (¥6: ¥60)', () => {
    // r1: 10 credits = 10,000 mc. 10 Jan on growth: 10,000 * 50,000 * 100 / 10^9 = 50 cents.
    // Plan "tokyo" (JPY, ¥6 a credit) from the 1 Feb boundary: 10,000 * 6,000,000 / 10^9 = ¥60.
    const tokyo = planJson({ id: 'tokyo', currency: 'JPY', purchasePricePerCredit: '6' });
    const out = preview({ purchasePricePerCredit: '0.05' }, [
      purchaseOp('2026-01-10T00:00:00Z', 'r1', '10', { recurring: true }),
      { at: '2026-01-20T00:00:00Z', type: 'changePlan', plan: tokyo, effective: 'next-cycle' },
    ]);
    expect(out.cycles.map((c) => [c.planId, c.purchases])).toEqual([
      ['growth', [listed('purchase', 'r1', '2026-01-10T00:00:00.000Z', 10_000n, 50n)]],
      ['tokyo', [listed('purchase', 'r1', '2026-02-01T00:00:00.000Z', 10_000n, 60n, 'JPY')]],
    ]);
  });

  it('an agreed price replaces the plan price for the first addition only: 10 credits at $0.02 = 20 cents, then 50 cents at each cycle start ($0.05)', () => {
    const out = preview({ purchasePricePerCredit: '0.05' }, [
      purchaseOp('2026-01-10T00:00:00Z', 'r1', '10', { recurring: true, pricePerCredit: '0.02' }),
    ]);
    expect(out.cycles.map((c) => c.purchases.map((p) => p.chargeMinor))).toEqual([[20n], [50n]]);
  });

  it('an agreed price applies on a plan without a purchase price: 10 credits at $0.02 = 20 cents; a purchase without one is free', () => {
    const out = preview({}, [
      purchaseOp('2026-01-10T00:00:00Z', 'p1', '10', { pricePerCredit: '0.02' }),
      purchaseOp('2026-01-11T00:00:00Z', 'p2', '10'),
    ]);
    expect(out.cycles[0]!.purchases.map((p) => p.chargeMinor)).toEqual([20n, 0n]);
  });

  it('an auto top-up is charged like a purchase: 5 credits at $0.05 = 25 cents, listed as autoTopUp "1" at the instant of the call that triggered it', () => {
    // Plan 10 credits; a 9-minute call leaves 1,000 mc, below 2 credits: buy 5 credits.
    // 5,000 * 50,000 * 100 / 10^9 = 25 cents.
    const out = preview({ allowanceCredits: '10', purchasePricePerCredit: '0.05' }, [
      topUpOp('2026-01-02T00:00:00Z', { belowCredits: '2', credits: '5', maxPerCycle: 3 }),
      callOp('2026-01-10T00:10:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 540)),
    ]);
    expect(out.cycles[0]!.purchases).toEqual([
      listed('autoTopUp', '1', '2026-01-10T00:10:00.000Z', 5_000n, 25n),
    ]);
  });

  it('a repeated purchase id is ignored and not listed; top-up ids are their own namespace (purchase "1" and top-up "1")', () => {
    const out = preview({ allowanceCredits: '10' }, [
      purchaseOp('2026-01-05T00:00:00Z', '1', '1'),
      purchaseOp('2026-01-06T00:00:00Z', '1', '50'),
      topUpOp('2026-01-07T00:00:00Z', { belowCredits: '20', credits: '5', maxPerCycle: 1 }),
    ]);
    // 10 + 1 = 11 credits available, below 20: one top-up of 5.
    expect(out.cycles[0]!.purchases.map((p) => [p.source, p.id, p.millicredits])).toEqual([
      ['purchase', '1', 1_000n],
      ['autoTopUp', '1', 5_000n],
    ]);
    expect(out.cycles[0]!.purchasedMillicredits).toBe(6_000n);
  });
});

describe('charges and their idempotency keys (ledger effects)', () => {
  it('a paid-first purchase is keyed by (account, purchase id) and not charged again; its recurring additions are keyed by (account, source, id, cycle start)', () => {
    const driver = ledgerOn({ purchasePricePerCredit: '0.05' });
    const bought = driver.apply({
      type: 'purchase',
      at: ms('2026-01-10T00:00:00Z'),
      purchaseId: 'r1',
      millicredits: '10000',
      recurring: true,
      priceMicros: '20000',
      paidFirst: true,
    });
    // 10,000 mc at the agreed $0.02 = 20 cents, paid before the credits were added.
    expect(bought.flatMap(charged)).toEqual([
      'r1',
      {
        key: { accountId: 'acme', purchaseId: 'r1' },
        amountMinor: '20',
        currency: 'USD',
        alreadyPaid: true,
      },
    ]);
    expect(driver.cycle(0).additions[0]).toMatchObject({ id: 'r1', paidFirst: true });
    // Re-added at the February start at the plan's $0.05: 50 cents, to charge now.
    expect(driver.advance('2026-02-01T00:00:00Z').flatMap(charged)).toEqual([
      'r1',
      {
        key: {
          accountId: 'acme',
          source: 'purchase',
          id: 'r1',
          cycleStart: ms('2026-02-01T00:00:00Z'),
        },
        amountMinor: '50',
        currency: 'USD',
        alreadyPaid: false,
      },
    ]);
    expect(driver.cycle(1).additions[0]!.paidFirst).toBeUndefined();
  });

  it('a top-up is keyed by (account, "autoTopUp", its number, cycle start); a grant has no charge', () => {
    const driver = ledgerOn({ allowanceCredits: '1' });
    const effects = [
      ...driver.apply({
        type: 'setAutoTopUp',
        at: ms('2026-01-02T00:00:00Z'),
        rule: { belowMillicredits: '2000', millicredits: '5000', maxPerCycle: 1 },
      }),
      ...driver.apply({
        type: 'grant',
        at: ms('2026-01-03T00:00:00Z'),
        grantId: 'g1',
        millicredits: '1000',
        reason: 'disputed call CA7',
      }),
    ];
    expect(effects.flatMap(charged)).toEqual([
      '1',
      {
        key: {
          accountId: 'acme',
          source: 'autoTopUp',
          id: '1',
          cycleStart: ms('2026-01-01T00:00:00Z'),
        },
        amountMinor: '0',
        currency: 'USD',
        alreadyPaid: false,
      },
      'g1',
      null,
    ]);
  });
});

describe('grants (section 10)', () => {
  it('a grant counts in available and grantedMillicredits, is never charged nor listed in purchases: 25 min used of 10 + 20 granted credits, no overage', () => {
    // 25 min = 25,000 mc; available 10,000 + 20,000 = 30,000: no overage. Without the grant
    // the overage would be 15,000 mc = 180 cents.
    const out = preview({ allowanceCredits: '10', purchasePricePerCredit: '0.05' }, [
      grantOp('2026-01-05T00:00:00Z', 'g1', '20', 'disputed call CA7'),
      callOp('2026-01-10T01:00:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 1_500)),
    ]);
    expect(out.cycles[0]).toMatchObject({
      purchasedMillicredits: 0n,
      grantedMillicredits: 20_000n,
      usedMillicredits: 25_000n,
      overageMillicredits: 0n,
      overageChargeMinor: 0n,
      purchases: [],
    });
  });

  it('a repeated grant id is ignored (whatever it carries); grant and purchase ids are separate namespaces', () => {
    const out = preview({}, [
      grantOp('2026-01-05T00:00:00Z', 'g1', '20'),
      grantOp('2026-01-06T00:00:00Z', 'g1', '50'),
      purchaseOp('2026-01-07T00:00:00Z', 'g1', '3'),
      grantOp('2026-01-08T00:00:00Z', 'p1', '1'),
    ]);
    expect(out.cycles[0]).toMatchObject({
      grantedMillicredits: 21_000n,
      purchasedMillicredits: 3_000n,
    });
  });

  it('grants expire with their cycle: February gets none of January`s', () => {
    const out = preview({}, [grantOp('2026-01-05T00:00:00Z', 'g1', '20')]);
    expect(out.cycles.map((c) => c.grantedMillicredits)).toEqual([20_000n, 0n]);
  });

  it('a grant re-arms a fired threshold, which then fires again: plan 10 credits, 80%', () => {
    // 9 min = 9,000 of 10,000 (90%): 80% fires. Grant 2: 9,000 of 12,000 = 75% re-arms it.
    // 1 more minute: 10,000 * 100 = 1,000,000 >= 80 * 12,000 = 960,000: it fires again.
    const out = preview({ allowanceCredits: '10', alertThresholdsPercent: [80] }, [
      callOp('2026-01-10T00:10:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 540)),
      grantOp('2026-01-11T00:00:00Z', 'g1', '2'),
      callOp('2026-01-12T00:10:00Z', callLasting('CA2', '2026-01-12T00:00:00Z', 60)),
    ]);
    // 80% twice: at CA1's arrival, and again at CA2's after the grant re-armed it.
    expect(out.cycles[0]!.alerts.map((a) => `${a.thresholdPercent}% ${a.at}`)).toEqual([
      '80% 2026-01-10T00:10:00.000Z',
      '80% 2026-01-12T00:10:00.000Z',
    ]);
  });

  it('a grant is a change that alerts: with nothing available, 5 credits used; a grant of 1 credit makes 500% and fires 100 at the grant', () => {
    const out = preview({ allowanceCredits: '0', alertThresholdsPercent: [100] }, [
      callOp('2026-01-10T00:10:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 300)),
      grantOp('2026-01-11T00:00:00Z', 'g1', '1'),
    ]);
    expect(out.cycles[0]!.alerts).toEqual([
      { thresholdPercent: 100, at: '2026-01-11T00:00:00.000Z' },
    ]);
  });
});
