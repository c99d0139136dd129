/**
 * The worked examples of docs/billing-rules.md that no other test states, so the customer page
 * cannot drift from what the engine computes.
 */
import { describe, expect, it } from 'vitest';
import { runPreview } from '../../billing/preview.js';
import { billedSeconds, creditsForSeconds, rateCall } from '../../billing/rating.js';
import { overageChargeMinor } from '../../billing/units.js';
import { call, callLasting, callOp, plan, planJson, scenario } from './builders.js';

describe('docs: billable time', () => {
  const spec = { answeredAt: '2026-03-02T15:04:05.120Z', endedAt: '2026-03-02T15:07:44.000Z' };

  it.each([
    [{}, 219],
    [{ holdSeconds: 30, systemSeconds: 4 }, 185],
    [{ handoffAt: '2026-03-02T15:06:00.000Z', holdSeconds: 30 }, 85],
    [{ holdSeconds: 200, systemSeconds: 4 }, 15],
    [{ holdSeconds: 250, systemSeconds: 4 }, 0],
  ])('%j -> %i raw seconds', (extra, raw) => {
    expect(rateCall(call({ ...spec, ...extra }), plan()).rawSeconds).toBe(raw);
  });
});

describe('docs: the rounding table', () => {
  const columns = {
    second: plan(),
    minute: plan({ rounding: { mode: 'minute' } }),
    block: plan({ rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 } }),
    blockMin45: plan({
      rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
      minimumSeconds: 45,
    }),
    minuteFree10: plan({ rounding: { mode: 'minute' }, freeSeconds: 10 }),
  };
  it.each([
    [0, [0, 0, 0, 0, 0]],
    [1, [1, 60, 30, 45, 0]],
    [10, [10, 60, 30, 45, 0]],
    [11, [11, 60, 30, 45, 60]],
    [31, [31, 60, 36, 45, 60]],
    [50, [50, 60, 54, 54, 60]],
    [61, [61, 120, 66, 66, 120]],
    [185, [185, 240, 186, 186, 240]],
  ])('raw %i bills %j', (raw, expected) => {
    expect(Object.values(columns).map((p) => billedSeconds(raw, p))).toEqual(expected);
  });
});

describe('docs: credits of a call', () => {
  it.each([
    [120, '1', 2_000n],
    [61, '1', 1_017n],
    [185, '1', 3_084n],
    [61, '0.333', 339n],
    [1, '0.333', 6n],
    [90, '2.5', 3_750n],
    [600, '0', 0n],
  ])('%i s at %s credits/min = %i mc', (billed, rate, mc) => {
    expect(creditsForSeconds(billed, plan({ creditsPerMinute: rate }))).toBe(mc);
  });
});

describe('docs: the overage table', () => {
  it.each([
    [500n, 120_000n, 'USD', 6n],
    [11_000n, 120_000n, 'USD', 132n],
    [12_500n, 10_000n, 'USD', 13n],
    [500n, 9_999n, 'USD', 0n],
    [500n, 1_000_000n, 'JPY', 1n],
    [10_500n, 15_000_000n, 'JPY', 158n],
  ] as const)('%i mc over at %i micro-units in %s = %i', (overage, price, currency, charge) => {
    expect(overageChargeMinor(overage, price, currency)).toBe(charge);
  });
});

describe('docs: purchases example', () => {
  it('r1 50 recurring (10 Jan), p1 100 one-time (12 Jan), r1 cancelled 15 Feb: 1,150 / 1,050 / 1,000 credits', () => {
    const out = runPreview(
      scenario({
        until: '2026-03-15T00:00:00Z',
        operations: [
          {
            at: '2026-01-10T00:00:00Z',
            type: 'purchase',
            purchaseId: 'r1',
            credits: '50',
            recurring: true,
          },
          { at: '2026-01-12T00:00:00Z', type: 'purchase', purchaseId: 'p1', credits: '100' },
          { at: '2026-02-15T00:00:00Z', type: 'cancelPurchase', purchaseId: 'r1' },
        ],
      }),
    );
    expect(out.cycles.map((c) => c.allowanceMillicredits + c.purchasedMillicredits)).toEqual([
      1_150_000n,
      1_050_000n,
      1_000_000n,
    ]);
  });
});

describe('docs: alerts example', () => {
  it('a single 15-minute call on a 10-credit plan with thresholds [80, 50, 100] fires 50, 80, 100 at its arrival', () => {
    const out = runPreview(
      scenario({
        plan: planJson({ allowanceCredits: '10', alertThresholdsPercent: [80, 50, 100] }),
        operations: [
          callOp('2026-01-10T00:20:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 900)),
        ],
      }),
    );
    expect(out.cycles[0]!.alerts).toEqual([
      { thresholdPercent: 50, at: '2026-01-10T00:20:00.000Z' },
      { thresholdPercent: 80, at: '2026-01-10T00:20:00.000Z' },
      { thresholdPercent: 100, at: '2026-01-10T00:20:00.000Z' },
    ]);
  });
});
