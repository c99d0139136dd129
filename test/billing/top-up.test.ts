/**
 * Auto top-up (BILLING-RULES.md section 12), with hand-worked numbers. Account "acme" in UTC
 * created 1 Jan 2026, cycles on the 1st; plan "ten": 10 credits (10,000 mc), 1 credit/min,
 * purchases at $0.05 a credit (5 credits = 5,000 * 50,000 * 100 / 10^9 = 25 cents).
 * Condition: available - billedUsed - reserved < belowCredits, fewer than maxPerCycle top-ups.
 */
import { describe, expect, it } from 'vitest';
import {
  admitOp,
  callLasting,
  callOp,
  previewOf,
  purchaseOp,
  tenCreditsJson,
  topUpOp,
  type Json,
} from './builders.js';

const ten = (overrides: Json = {}) =>
  tenCreditsJson({ purchasePricePerCredit: '0.05', ...overrides });

const preview = (operations: Json[], planOverrides: Json = {}) =>
  previewOf(ten(planOverrides), operations);

/** The top-ups of a cycle as [id, at, millicredits, chargeMinor]. */
const topUps = (cycle: {
  purchases: {
    source: string;
    id: string;
    at: string;
    millicredits: bigint;
    chargeMinor: bigint;
  }[];
}) =>
  cycle.purchases
    .filter((p) => p.source === 'autoTopUp')
    .map((p) => [p.id, p.at, p.millicredits, p.chargeMinor]);

const rule = (belowCredits: string, credits: string, maxPerCycle: number) =>
  topUpOp('2026-01-02T00:00:00Z', { belowCredits, credits, maxPerCycle });

describe('auto top-up (section 12)', () => {
  it('triggered by bookings and capped by maxPerCycle: below 2 credits buy 5, at most 2 a cycle', () => {
    const out = preview([
      rule('2', '5', 2), // 10,000 left: nothing
      // 9 min: 1,000 left < 2,000: top-up "1" -> 6,000 left.
      callOp('2026-01-10T00:10:00Z', callLasting('a', '2026-01-10T00:00:00Z', 540)),
      // 10 min: 15,000 - 19,000 = -4,000: top-up "2" -> 1,000 left, still below, but 2 made.
      callOp('2026-01-11T00:10:00Z', callLasting('b', '2026-01-11T00:00:00Z', 600)),
      callOp('2026-01-12T00:10:00Z', callLasting('c', '2026-01-12T00:00:00Z', 60)),
    ]);
    expect(topUps(out.cycles[0]!)).toEqual([
      ['1', '2026-01-10T00:10:00.000Z', 5_000n, 25n],
      ['2', '2026-01-11T00:10:00.000Z', 5_000n, 25n],
    ]);
    // 20,000 used of 10,000 + 10,000: no overage.
    expect(out.cycles[0]).toMatchObject({
      purchasedMillicredits: 10_000n,
      overageMillicredits: 0n,
    });
  });

  it('triggered by setAutoTopUp itself when the condition already holds', () => {
    const out = preview([
      callOp('2026-01-10T00:10:00Z', callLasting('a', '2026-01-10T00:00:00Z', 540)),
      topUpOp('2026-01-11T00:00:00Z', { belowCredits: '2', credits: '5', maxPerCycle: 1 }),
    ]);
    expect(topUps(out.cycles[0]!)).toEqual([['1', '2026-01-11T00:00:00.000Z', 5_000n, 25n]]);
  });

  it('triggered by an admission`s reservation: 10,000 - 5,000 reserved < 6,000; a later admission sees the top-up', () => {
    const out = preview(
      [
        rule('6', '5', 1),
        // Headroom 10,000: 600 s, 300 s = 5,000 reserved: 5,000 left < 6,000: buy 5 credits.
        admitOp('2026-01-10T00:00:00Z', 'A'),
        // Headroom 15,000 - 5,000 = 10,000: 600 s again.
        admitOp('2026-01-10T00:00:01Z', 'B'),
      ],
      { overageLimitCredits: '0' },
    );
    expect(out.admissions.map((a) => [a.callId, a.maxSeconds])).toEqual([
      ['A', 600],
      ['B', 600],
    ]);
    expect(topUps(out.cycles[0]!)).toEqual([['1', '2026-01-10T00:00:00.000Z', 5_000n, 25n]]);
  });

  it('at a cycle start, after the recurring purchases, as many as needed up to maxPerCycle; the rule lasts across cycles', () => {
    // 10,000 + r1 2,000 = 12,000 < 20,000: "1" (17,000), "2" (22,000), in January at the
    // rule and again at the February start.
    const out = preview([
      purchaseOp('2026-01-01T12:00:00Z', 'r1', '2', { recurring: true }),
      rule('20', '5', 3),
    ]);
    expect(out.cycles[1]!.purchases.map((p) => [p.source, p.id, p.at])).toEqual([
      ['purchase', 'r1', '2026-02-01T00:00:00.000Z'],
      ['autoTopUp', '1', '2026-02-01T00:00:00.000Z'],
      ['autoTopUp', '2', '2026-02-01T00:00:00.000Z'],
    ]);
    expect(topUps(out.cycles[0]!).map((t) => t[0])).toEqual(['1', '2']);
  });

  it('every top-up of the cycle counts, also those of an earlier rule: max 1, then a new rule of max 2 adds only "2"', () => {
    const out = preview([
      callOp('2026-01-10T00:10:00Z', callLasting('a', '2026-01-10T00:00:00Z', 540)),
      topUpOp('2026-01-11T00:00:00Z', { belowCredits: '20', credits: '1', maxPerCycle: 1 }),
      topUpOp('2026-01-12T00:00:00Z', { belowCredits: '20', credits: '1', maxPerCycle: 2 }),
    ]);
    expect(topUps(out.cycles[0]!).map((t) => [t[0], t[1]])).toEqual([
      ['1', '2026-01-11T00:00:00.000Z'],
      ['2', '2026-01-12T00:00:00.000Z'],
    ]);
  });

  it('null turns the rule off', () => {
    const out = preview([
      rule('2', '5', 3),
      topUpOp('2026-01-05T00:00:00Z', null),
      callOp('2026-01-10T00:10:00Z', callLasting('a', '2026-01-10T00:00:00Z', 540)),
    ]);
    expect(out.cycles[0]!.purchases).toEqual([]);
  });

  it('the written-off part is computed before the top-ups a call triggers: limit 0, 12 minutes: 2,000 written off, then a top-up', () => {
    // room = 10,000 + 0 - 0 = 10,000 of 12,000: 2,000 written off; then 10,000 - 10,000 = 0
    // < 2,000: top-up "1". Topped up first, nothing would have been written off.
    const out = preview(
      [
        rule('2', '5', 3),
        callOp('2026-01-10T00:15:00Z', callLasting('a', '2026-01-10T00:00:00Z', 720)),
      ],
      { overageLimitCredits: '0' },
    );
    const { usedMillicredits, writtenOffMillicredits, purchases } = out.cycles[0]!;
    // 12,000 used, 2,000 of them written off; then top-up "1".
    expect([usedMillicredits, writtenOffMillicredits, purchases.map((p) => p.id)]).toEqual([
      12_000n,
      2_000n,
      ['1'],
    ]);
  });

  it('alerts come once, after the top-ups: 9.5 minutes (95%) tops up to 15,000 (63%): 80% does not fire; 3 more minutes (83%) fire it', () => {
    const out = preview(
      [
        rule('1', '5', 3),
        // 9,500 used: 500 left < 1,000: top-up; 9,500 * 100 < 80 * 15,000 = 1,200,000.
        callOp('2026-01-10T00:10:00Z', callLasting('a', '2026-01-10T00:00:00Z', 570)),
        // 12,500 * 100 = 1,250,000 >= 1,200,000; 2,500 left: no top-up.
        callOp('2026-01-11T00:10:00Z', callLasting('b', '2026-01-11T00:00:00Z', 180)),
      ],
      { alertThresholdsPercent: [80, 100] },
    );
    expect(out.cycles[0]!.alerts).toEqual([
      { thresholdPercent: 80, at: '2026-01-11T00:10:00.000Z' },
    ]);
    expect(topUps(out.cycles[0]!).map((t) => t[0])).toEqual(['1']);
  });

  it('a booking into a cycle in grace triggers nothing: January goes below the rule in grace, February (open) is not below it', () => {
    const out = preview([
      rule('2', '5', 3),
      callOp('2026-02-01T00:30:00Z', callLasting('late', '2026-01-31T23:00:00Z', 720)),
    ]);
    expect(out.cycles.map((c) => [c.usedMillicredits, c.purchases.length])).toEqual([
      [12_000n, 0],
      [0n, 0],
    ]);
  });
});
