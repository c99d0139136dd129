/**
 * The overage limit and written-off credits (BILLING-RULES.md section 11), with hand-worked
 * numbers. Account "acme" in UTC created 1 Jan 2026, cycles on the 1st; plan "ten": 10 credits
 * (10,000 mc), 1 credit/min (a minute = 1,000 mc), per-second rounding, $0.12 overage.
 * On booking: cap = available + L, billable = max(0, min(credits, cap - billedUsed)),
 * writtenOff += credits - billable; billedUsed = used - writtenOff.
 */
import { describe, expect, it } from 'vitest';
import {
  callLasting,
  callOp,
  ledgerOn,
  limitOp,
  ms,
  planJson,
  previewOf,
  purchaseOp,
  tenCreditsJson,
} from './builders.js';

const ten = tenCreditsJson;

const preview = previewOf;

/** Calls of 9, 3 and 1 minutes on 10, 11 and 12 Jan (9,000, 3,000 and 1,000 mc). */
const a = callOp('2026-01-10T00:10:00Z', callLasting('a', '2026-01-10T00:00:00Z', 540));
const b = callOp('2026-01-11T00:10:00Z', callLasting('b', '2026-01-11T00:00:00Z', 180));
const c = callOp('2026-01-12T00:10:00Z', callLasting('c', '2026-01-12T00:00:00Z', 60));

describe('written off (section 11)', () => {
  it('limit "0" blocks at zero: a 9,000 billable; b 3,000 of which 10,000 - 9,000 = 1,000 billable, 2,000 written off; c 1,000 all written off', () => {
    const out = preview(ten({ overageLimitCredits: '0' }), [a, b, c]);
    expect(out.cycles[0]).toMatchObject({
      closed: true,
      usedMillicredits: 13_000n,
      writtenOffMillicredits: 3_000n,
      // 540 + 180 + 60: written-off calls count in full.
      billableSeconds: 780,
      overageMillicredits: 0n,
      overageChargeMinor: 0n,
    });
  });

  it('a positive limit of 1.5 credits: cap 11,500; b has 2,500 of room, 500 written off; overage 1,500 mc = 18 cents', () => {
    // 1,500 * 120,000 * 100 / 10^9 = 18.
    const out = preview(ten({ overageLimitCredits: '1.5' }), [a, b]);
    expect(out.cycles[0]).toMatchObject({
      usedMillicredits: 12_000n,
      writtenOffMillicredits: 500n,
      overageMillicredits: 1_500n,
      overageChargeMinor: 18n,
    });
  });

  it('a later purchase revives nothing: after 2,000 mc written off, 5 credits bought; c then fits in the new room of 5,000', () => {
    const out = preview(ten({ overageLimitCredits: '0' }), [
      a,
      b,
      purchaseOp('2026-01-11T12:00:00Z', 'p1', '5'),
      c,
    ]);
    expect(out.cycles[0]).toMatchObject({
      usedMillicredits: 13_000n,
      writtenOffMillicredits: 2_000n,
      overageMillicredits: 0n,
    });
  });

  it('a later limit change revives nothing and writes off nothing: raising it keeps 2,000 written off; setting "0" after 2,000 of overage writes nothing off (24 cents charged)', () => {
    const raised = preview(ten(), [
      limitOp('2026-01-02T00:00:00Z', '0'),
      a,
      b,
      limitOp('2026-01-11T12:00:00Z', '100'),
    ]);
    expect(raised.cycles[0]).toMatchObject({ writtenOffMillicredits: 2_000n });
    // Without a limit: 12,000 used of 10,000, overage 2,000 = 2,000 * 120,000 * 100 / 10^9 = 24.
    const lowered = preview(ten(), [a, b, limitOp('2026-01-11T12:00:00Z', '0')]);
    expect(lowered.cycles[0]).toMatchObject({
      writtenOffMillicredits: 0n,
      overageMillicredits: 2_000n,
      overageChargeMinor: 24n,
    });
  });

  it('a `now` downgrade leaves overage above the limit, and it is charged: 10,000 billed, allowance 10,000 - 6,000 * 14/28 = 7,000, overage 3,000 = 36 cents', () => {
    // February (28 days), account limit "0". 9 + 3 minutes on 10 Feb: 2,000 written off.
    // On 15 Feb 00:00 (14 of 28 days left) the plan becomes 4 credits now.
    const out = preview(
      ten(),
      [
        limitOp('2026-01-02T00:00:00Z', '0'),
        callOp('2026-02-10T00:10:00Z', callLasting('a', '2026-02-10T00:00:00Z', 540)),
        callOp('2026-02-10T00:20:00Z', callLasting('b', '2026-02-10T00:10:00Z', 180)),
        {
          at: '2026-02-15T00:00:00Z',
          type: 'changePlan',
          plan: ten({ id: 'four', allowanceCredits: '4' }),
          effective: 'now',
        },
      ],
      '2026-03-01T01:00:00Z',
    );
    expect(out.cycles[1]).toMatchObject({
      closed: true,
      planId: 'four',
      allowanceMillicredits: 7_000n,
      usedMillicredits: 12_000n,
      writtenOffMillicredits: 2_000n,
      overageMillicredits: 3_000n,
      // 3,000 * 120,000 * 100 / 10^9 = 36.
      overageChargeMinor: 36n,
    });
  });

  it('the limit in effect is the smaller of the plan`s and the account`s: plan 5, account 2 -> 2; account 10 -> 5 (not lifted); account removed -> 5', () => {
    // Nothing available (allowance 0): each call is 10 minutes = 10,000 mc.
    const driver = ledgerOn({ allowanceCredits: '0', overageLimitCredits: '5' });
    const writtenOff = (day: string, callId: string) =>
      driver
        .book(`2026-01-${day}T00:20:00Z`, callLasting(callId, `2026-01-${day}T00:00:00Z`, 600))
        .flatMap((e) => (e.type === 'callBooked' ? [e.writtenOffMillicredits] : []));
    driver.apply({ type: 'setOverageLimit', at: ms('2026-01-02T00:00:00Z'), millicredits: '2000' });
    // room = 0 + 2,000 - 0 = 2,000: 8,000 written off; billedUsed 2,000.
    expect(writtenOff('10', 'c1')).toEqual(['8000']);
    driver.apply({
      type: 'setOverageLimit',
      at: ms('2026-01-11T00:00:00Z'),
      millicredits: '10000',
    });
    // min(5,000, 10,000) = 5,000: room 5,000 - 2,000 = 3,000, 7,000 written off.
    expect(writtenOff('12', 'c2')).toEqual(['7000']);
    driver.apply({ type: 'setOverageLimit', at: ms('2026-01-13T00:00:00Z'), millicredits: null });
    // The plan's 5,000 alone: no room left, all 10,000 written off.
    expect(writtenOff('14', 'c3')).toEqual(['10000']);
    expect(driver.cycle(0)).toMatchObject({
      usedMillicredits: '30000',
      writtenOffMillicredits: '25000',
    });
  });

  it('an account limit alone: a plan without one, account limit 3, nothing available: a 10-minute call writes off 7,000', () => {
    const out = preview(planJson({ allowanceCredits: '0' }), [
      limitOp('2026-01-02T00:00:00Z', '3'),
      callOp('2026-01-10T00:20:00Z', callLasting('c1', '2026-01-10T00:00:00Z', 600)),
    ]);
    expect(out.cycles[0]).toMatchObject({
      writtenOffMillicredits: 7_000n,
      overageMillicredits: 3_000n,
    });
  });

  it('a call booked into a cycle in grace uses that cycle`s available and the limit in effect at its arrival', () => {
    // January used 10,000 of 10,000 with no limit. The account sets "0" on 1 Feb 00:10; a
    // 2-minute call answered 31 Jan 23:50 arrives at 00:30, during January's grace: written off.
    const out = preview(ten(), [
      callOp('2026-01-31T12:15:00Z', callLasting('a', '2026-01-31T12:00:00Z', 600)),
      limitOp('2026-02-01T00:10:00Z', '0'),
      callOp('2026-02-01T00:30:00Z', callLasting('b', '2026-01-31T23:50:00Z', 120)),
    ]);
    expect(out.cycles.map((x) => [x.usedMillicredits, x.writtenOffMillicredits])).toEqual([
      [12_000n, 2_000n],
      [0n, 0n],
    ]);
  });

  it('a late adjustment written off in full still counts in lateAdjustments and billableSeconds', () => {
    // Nothing available and limit "0": a call of 31 Jan arriving after January closed.
    const out = preview(
      planJson({ allowanceCredits: '0', overageLimitCredits: '0' }),
      [callOp('2026-02-01T02:00:00Z', callLasting('late', '2026-01-31T23:00:00Z', 120))],
      '2026-02-15T00:00:00Z',
    );
    expect(out.cycles[1]).toMatchObject({
      usedMillicredits: 2_000n,
      writtenOffMillicredits: 2_000n,
      billableSeconds: 120,
      lateAdjustments: 1,
      overageMillicredits: 0n,
    });
  });
});
