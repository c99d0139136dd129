/**
 * The reference model's own checks for rules version 2 (sections 9 to 12), with numbers worked by
 * hand from BILLING-RULES.md (each expectation's arithmetic is in the comment next to it). The
 * account is in UTC, created on a boundary (2026-01-01T00:00:00Z, no anchor), so cycle 0 is
 * [Jan 1, Feb 1) and cycle 1 starts at 2026-02-01T00:00:00Z. Unless a test says otherwise the plan
 * has 10 credits of allowance, 1 credit a minute, second rounding and no version 2 field, so a call
 * of s seconds costs ceil(s * 1000 / 60) millicredits (60 s = 1,000).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  modelInternals,
  referencePreview,
  ReferenceMalformed,
  withoutV2Keys,
  type RefOutput,
} from './reference.js';

type Obj = Record<string, unknown>;

const at = (s: string): string => `2026-${s}Z`; // at('01-03T10:00:00') -> 2026-01-03T10:00:00Z
/** As printed: UTC with milliseconds. */
const out = (s: string): string => (s.includes('.') ? `2026-${s}Z` : `2026-${s}.000Z`);

function plan(extra: Obj = {}): Obj {
  return {
    id: 'growth',
    allowanceCredits: '10',
    creditsPerMinute: '1',
    overagePricePerCredit: '0.12',
    currency: 'USD',
    ...extra,
  };
}

function scenario(p: Obj, operations: Obj[], until = at('01-20T00:00:00')): Obj {
  return {
    account: { id: 'acme', timeZone: 'UTC', createdAt: at('01-01T00:00:00') },
    plan: p,
    until,
    operations,
  };
}

/** A completed inbound call answered at `answered`, ended at `ended`, arriving at `arrival`. */
function call(callId: string, answered: string, ended: string, arrival = ended, ev: Obj = {}): Obj {
  return {
    at: at(arrival),
    type: 'call',
    event: {
      callId,
      accountId: 'acme',
      direction: 'inbound',
      status: 'completed',
      answeredAt: at(answered),
      endedAt: at(ended),
      ...ev,
    },
  };
}

const purchase = (when: string, id: string, credits: string, extra: Obj = {}): Obj => ({
  at: at(when),
  type: 'purchase',
  purchaseId: id,
  credits,
  ...extra,
});
const grant = (when: string, grantId: string, credits: string): Obj => ({
  at: at(when),
  type: 'grant',
  grantId,
  credits,
  reason: 'goodwill',
});
const limit = (when: string, credits: string | null): Obj => ({
  at: at(when),
  type: 'setOverageLimit',
  credits,
});
const admit = (when: string, callId: string): Obj => ({ at: at(when), type: 'admit', callId });
const topUp = (when: string, rule: Obj | null): Obj => ({
  at: at(when),
  type: 'setAutoTopUp',
  autoTopUp: rule,
});
const rule = (belowCredits: string, credits: string, maxPerCycle: number): Obj => ({
  belowCredits,
  credits,
  maxPerCycle,
});

function run(s: Obj): RefOutput {
  return referencePreview(structuredClone(s));
}

const allowed = (when: string, callId: string, maxSeconds: number | null): Obj => ({
  callId,
  at: out(when),
  allowed: true,
  maxSeconds,
  reason: null,
});
const refused = (when: string, callId: string, maxSeconds: number, reason: string): Obj => ({
  callId,
  at: out(when),
  allowed: false,
  maxSeconds,
  reason,
});

// ---------------------------------------------------------------------------------------------

describe('output shape (section 8)', () => {
  it('lists the keys in the order of section 8, version 2 keys included', () => {
    const o = run(scenario(plan(), [purchase('01-05T00:00:00', 'p1', '1')]));
    expect(Object.keys(o)).toEqual(['cycles', 'rejected', 'duplicates', 'admissions']);
    expect(Object.keys(o.cycles[0]!)).toEqual([
      'index',
      'start',
      'end',
      'closed',
      'planId',
      'allowanceMillicredits',
      'purchasedMillicredits',
      'usedMillicredits',
      'billableSeconds',
      'lateAdjustments',
      'overageMillicredits',
      'overageChargeMinor',
      'grantedMillicredits',
      'writtenOffMillicredits',
      'purchases',
      'alerts',
    ]);
    expect(Object.keys(o.cycles[0]!.purchases[0]!)).toEqual([
      'source',
      'id',
      'at',
      'millicredits',
      'chargeMinor',
      'currency',
    ]);
    const a = run(scenario(plan(), [admit('01-02T00:00:00', 'CA1')])).admissions[0]!;
    expect(Object.keys(a)).toEqual(['callId', 'at', 'allowed', 'maxSeconds', 'reason']);
  });

  it('a version 1 scenario: its purchase listed, charged 0 in the plan currency', () => {
    const o = run(
      scenario(plan({ currency: 'JPY' }), [
        purchase('01-05T00:00:00', 'p1', '3'),
        purchase('01-06T00:00:00', 'p1', '7'), // repeated id: ignored, not listed
      ]),
    );
    expect(o.cycles[0]!.purchases).toEqual([
      {
        source: 'purchase',
        id: 'p1',
        at: out('01-05T00:00:00'),
        millicredits: 3000n,
        chargeMinor: 0n,
        currency: 'JPY',
      },
    ]);
    expect(o.cycles[0]!.purchasedMillicredits).toBe(3000n);
    expect(o.cycles[0]!.grantedMillicredits).toBe(0n);
    expect(o.cycles[0]!.writtenOffMillicredits).toBe(0n);
    expect(o.admissions).toEqual([]);
    expect(Object.keys(withoutV2Keys(o) as Obj)).toEqual(['cycles', 'rejected', 'duplicates']);
  });
});

describe('section 9: priced purchases', () => {
  it('USD: 100 credits at 0.12 = 1,200 cents; half a cent rounds up', () => {
    const o = run(
      scenario(plan({ purchasePricePerCredit: '0.12' }), [
        purchase('01-05T00:00:00', 'p1', '100'), // 100,000 mc * 120,000 * 10^2 / 10^9 = 1,200
      ]),
    );
    expect(o.cycles[0]!.purchases[0]!.chargeMinor).toBe(1200n);
    expect(o.cycles[0]!.purchases[0]!.currency).toBe('USD');
    const h = run(
      scenario(plan({ purchasePricePerCredit: '0.125' }), [
        purchase('01-05T00:00:00', 'a', '0.04'), // 40 * 125,000 * 100 / 10^9 = 0.5 -> 1
        purchase('01-05T00:00:00', 'b', '0.03'), // 30 * 125,000 * 100 / 10^9 = 0.375 -> 0
      ]),
    );
    expect(h.cycles[0]!.purchases.map((p) => p.chargeMinor)).toEqual([1n, 0n]);
  });

  it('JPY (exponent 0): 3 credits at 1.5 = 4.5 -> 5 yen; at 0.333333 = 0.999999 -> 1 yen', () => {
    const o = run(
      scenario(plan({ currency: 'JPY', purchasePricePerCredit: '1.5' }), [
        purchase('01-05T00:00:00', 'p1', '3'), // 3,000 * 1,500,000 * 1 / 10^9 = 4.5 -> 5
        purchase('01-06T00:00:00', 'p2', '3', { pricePerCredit: '0.333333' }), // 0.999999 -> 1
      ]),
    );
    expect(o.cycles[0]!.purchases.map((p) => [p.chargeMinor, p.currency])).toEqual([
      [5n, 'JPY'],
      [1n, 'JPY'],
    ]);
  });

  it('an agreed price replaces the plan price (also when the plan has none)', () => {
    const priced = run(
      scenario(plan({ purchasePricePerCredit: '0.12' }), [
        purchase('01-05T00:00:00', 'p1', '100', { pricePerCredit: '0.10' }), // 1,000 cents
      ]),
    );
    expect(priced.cycles[0]!.purchases[0]!.chargeMinor).toBe(1000n);
    const unpriced = run(
      scenario(plan(), [
        purchase('01-05T00:00:00', 'p1', '100', { pricePerCredit: '0.05' }), // 500 cents
        purchase('01-06T00:00:00', 'p2', '100'), // no price anywhere: 0
      ]),
    );
    expect(unpriced.cycles[0]!.purchases.map((p) => p.chargeMinor)).toEqual([500n, 0n]);
  });

  it('a recurring purchase: agreed price first, then the price of the plan changed for the boundary', () => {
    const pro = plan({ id: 'pro', currency: 'EUR', purchasePricePerCredit: '0.2' });
    const o = run(
      scenario(
        plan({ purchasePricePerCredit: '0.12' }),
        [
          purchase('01-05T00:00:00', 'r1', '10', { recurring: true, pricePerCredit: '0.10' }),
          { at: at('01-20T00:00:00'), type: 'changePlan', plan: pro, effective: 'next-cycle' },
        ],
        at('03-10T00:00:00'),
      ),
    );
    // cycle 0: 10,000 mc at the agreed 0.10 USD = 100 cents
    expect(o.cycles[0]!.purchases).toEqual([
      {
        source: 'purchase',
        id: 'r1',
        at: out('01-05T00:00:00'),
        millicredits: 10_000n,
        chargeMinor: 100n,
        currency: 'USD',
      },
    ]);
    // cycle 1 starts on plan pro: 10,000 mc at 0.20 EUR = 200 cents, listed at the boundary
    expect(o.cycles[1]!.planId).toBe('pro');
    expect(o.cycles[1]!.purchases).toEqual([
      {
        source: 'purchase',
        id: 'r1',
        at: out('02-01T00:00:00'),
        millicredits: 10_000n,
        chargeMinor: 200n,
        currency: 'EUR',
      },
    ]);
    expect(o.cycles[1]!.purchasedMillicredits).toBe(10_000n);
  });

  it('each entry keeps its own currency; the overage the currency of the cycle plan', () => {
    const yen = plan({ id: 'jp', currency: 'JPY', allowanceCredits: '20' });
    const o = run(
      scenario(
        plan({ purchasePricePerCredit: '0.12' }),
        [
          purchase('01-05T00:00:00', 'p1', '1'), // 12 cents
          { at: at('01-10T00:00:00'), type: 'changePlan', plan: yen, effective: 'now' },
          purchase('01-11T00:00:00', 'p2', '1'), // JPY, no purchase price: 0
        ],
        at('02-10T00:00:00'),
      ),
    );
    expect(o.cycles[0]!.purchases.map((p) => [p.chargeMinor, p.currency])).toEqual([
      [12n, 'USD'],
      [0n, 'JPY'],
    ]);
    expect(o.cycles[0]!.planId).toBe('jp');
  });
});

describe('section 10: grants', () => {
  it('idempotent by grantId, counted in available, alerts re-arm and fire again', () => {
    const o = run(
      scenario(plan({ alertThresholdsPercent: [100, 50] }), [
        call('C1', '01-03T10:00:00', '01-03T10:15:00'), // 15,000 mc; 50% and 100% of 10,000
        grant('01-05T00:00:00', 'g1', '20'), // available 30,000: 100% re-arms (1.5e6 < 3e6)
        grant('01-06T00:00:00', 'g1', '50'), // repeated grantId: ignored
        purchase('01-06T12:00:00', 'g1', '0'), // purchase ids are another namespace
        call('C2', '01-07T10:00:00', '01-07T10:15:00'), // 30,000 mc: 100% fires again
        grant('01-08T00:00:00', 'g2', '5'), // available 35,000: 100% re-arms, no alert
      ]),
    );
    const c = o.cycles[0]!;
    expect(c.grantedMillicredits).toBe(25_000n);
    expect(c.purchasedMillicredits).toBe(0n);
    expect(c.purchases.map((p) => p.id)).toEqual(['g1']);
    expect(c.usedMillicredits).toBe(30_000n);
    expect(c.overageMillicredits).toBe(0n); // 30,000 - (10,000 + 25,000) < 0
    expect(c.alerts).toEqual([
      { thresholdPercent: 50, at: out('01-03T10:15:00') },
      { thresholdPercent: 100, at: out('01-03T10:15:00') },
      { thresholdPercent: 100, at: out('01-07T10:15:00') },
    ]);
  });

  it('a grant can fire an alert (available > 0 after it)', () => {
    const o = run(
      scenario(plan({ allowanceCredits: '0', alertThresholdsPercent: [80] }), [
        call('C1', '01-03T10:00:00', '01-03T10:01:00'), // 1,000 mc, available 0: nothing
        grant('01-04T00:00:00', 'g1', '1.25'), // 1,000 * 100 >= 80 * 1,250
      ]),
    );
    expect(o.cycles[0]!.alerts).toEqual([{ thresholdPercent: 80, at: out('01-04T00:00:00') }]);
  });
});

describe('section 11: written off', () => {
  it('limit "0": nothing is billed past the available credits, a later purchase revives nothing', () => {
    const o = run(
      scenario(
        plan(),
        [
          limit('01-02T00:00:00', '0'),
          call('C1', '01-03T10:00:00', '01-03T10:15:00'), // 15,000: cap 10,000, 5,000 written off
          call('C2', '01-04T10:00:00', '01-04T10:05:00'), // 5,000: room 0, all written off
          purchase('01-05T00:00:00', 'p1', '5'), // available 15,000; writtenOff stays 10,000
          call('C3', '01-06T10:00:00', '01-06T10:03:00'), // 3,000: room 5,000, none written off
        ],
        at('02-10T00:00:00'),
      ),
    );
    const c = o.cycles[0]!;
    expect(c.usedMillicredits).toBe(23_000n);
    expect(c.writtenOffMillicredits).toBe(10_000n);
    expect(c.billableSeconds).toBe(1380); // written-off calls still count in full
    expect(c.overageMillicredits).toBe(0n); // billedUsed 13,000 <= available 15,000
    expect(c.closed).toBe(true);
    expect(c.overageChargeMinor).toBe(0n);
  });

  it('a positive limit: overage up to it, charged; the rest written off', () => {
    const o = run(
      scenario(
        plan({ overageLimitCredits: '2' }),
        [call('C1', '01-03T10:00:00', '01-03T10:15:00')], // cap 12,000: 3,000 written off
        at('02-10T00:00:00'),
      ),
    );
    const c = o.cycles[0]!;
    expect(c.writtenOffMillicredits).toBe(3000n);
    expect(c.overageMillicredits).toBe(2000n);
    expect(c.overageChargeMinor).toBe(24n); // 2,000 * 120,000 * 100 / 10^9
  });

  it('the limit is the smaller of plan and account; the account cannot lift the plan limit', () => {
    const calls = [call('C1', '01-03T10:00:00', '01-03T10:15:00')];
    const wo = (p: Obj, ops: Obj[]): bigint =>
      run(scenario(p, [...ops, ...calls])).cycles[0]!.writtenOffMillicredits;
    expect(wo(plan({ overageLimitCredits: '2' }), [limit('01-02T00:00:00', '5')])).toBe(3000n);
    expect(wo(plan({ overageLimitCredits: '2' }), [limit('01-02T00:00:00', '1')])).toBe(4000n);
    expect(
      wo(plan({ overageLimitCredits: '2' }), [
        limit('01-02T00:00:00', '1'),
        limit('01-02T01:00:00', null), // back to the plan's 2
      ]),
    ).toBe(3000n);
    expect(wo(plan(), [limit('01-02T00:00:00', '4')])).toBe(1000n);
    expect(wo(plan({ overageLimitCredits: null }), [])).toBe(0n); // no limit: nothing
  });

  it('a now downgrade writes off nothing: the overage above the limit is charged', () => {
    const small = plan({ id: 'small', allowanceCredits: '4', overageLimitCredits: '0' });
    const o = run(
      scenario(
        plan({ overageLimitCredits: '0' }),
        [
          call('C1', '01-02T10:00:00', '01-02T10:10:00'), // 10,000: all billable
          { at: at('01-16T00:00:00'), type: 'changePlan', plan: small, effective: 'now' },
        ],
        at('02-10T00:00:00'),
      ),
    );
    // allowance 10,000 + trunc(-6,000 * 16 days / 31 days) = 10,000 - 3,096 = 6,904
    const c = o.cycles[0]!;
    expect(c.allowanceMillicredits).toBe(6904n);
    expect(c.writtenOffMillicredits).toBe(0n);
    expect(c.overageMillicredits).toBe(3096n);
    expect(c.overageChargeMinor).toBe(37n); // 3,096 * 120,000 * 100 / 10^9 = 37.152
  });

  it('a call booked into a cycle in grace: that cycle available, the limit at the arrival', () => {
    const o = run(
      scenario(
        plan(),
        [
          call('C1', '01-31T23:40:00', '01-31T23:55:00', '02-01T00:30:00'), // 15,000 into cycle 0
          limit('02-01T00:20:00', '0'), // before the arrival: in effect
        ],
        at('02-10T00:00:00'),
      ),
    );
    expect(o.cycles[0]!.usedMillicredits).toBe(15_000n);
    expect(o.cycles[0]!.writtenOffMillicredits).toBe(5000n);
    expect(o.cycles[1]!.writtenOffMillicredits).toBe(0n);
  });
});

describe('section 11: admission, each case in order', () => {
  it('1. already recorded comes first, even without a limit', () => {
    const o = run(
      scenario(plan(), [
        call('CA1', '01-02T10:00:00', '01-02T10:01:00'),
        admit('01-03T00:00:00', 'CA1'),
        admit('01-03T00:00:01', 'CA2'),
      ]),
    );
    expect(o.admissions).toEqual([
      refused('01-03T00:00:00', 'CA1', 0, 'call_already_recorded'),
      allowed('01-03T00:00:01', 'CA2', null), // 3. no limit: nothing reserved
    ]);
  });

  it('2. an active reservation: the same answer again; 5. reservations lower the headroom', () => {
    const o = run(
      scenario(plan(), [
        limit('01-01T00:00:00', '0'),
        admit('01-02T00:00:00', 'CA2'), // headroom 10,000: ceil(s*1000/60) <= 10,000 -> 600
        admit('01-02T00:05:00', 'CA2'), // replayed: 600 although 5 minutes passed
        admit('01-02T00:06:00', 'CA3'), // reserved credits(min(600, 300)) = 5,000: 300
        admit('01-02T00:07:00', 'CA4'), // 10,000 - 5,000 - 5,000 = 0: 0 s, refused
        admit('01-02T00:08:00', 'CA4'), // refused admissions reserve nothing: decided again
      ]),
    );
    expect(o.admissions).toEqual([
      allowed('01-02T00:00:00', 'CA2', 600),
      allowed('01-02T00:05:00', 'CA2', 600),
      allowed('01-02T00:06:00', 'CA3', 300),
      refused('01-02T00:07:00', 'CA4', 0, 'limit_reached'),
      refused('01-02T00:08:00', 'CA4', 0, 'limit_reached'),
    ]);
  });

  it('3. no limit: allowed, maxSeconds null, nothing reserved (a repeat decides again)', () => {
    const o = run(
      scenario(plan({ overageLimitCredits: '0' }), [
        admit('01-02T00:00:00', 'CA1'), // plan limit 0: 600 s, reserves 5,000
        {
          at: at('01-02T00:01:00'),
          type: 'changePlan',
          plan: plan({ id: 'open' }),
          effective: 'now',
        },
        admit('01-02T00:02:00', 'CA1'), // case 2 comes before case 3: replayed
        admit('01-02T00:03:00', 'CA9'),
      ]),
    );
    expect(o.admissions).toEqual([
      allowed('01-02T00:00:00', 'CA1', 600),
      allowed('01-02T00:02:00', 'CA1', 600),
      allowed('01-02T00:03:00', 'CA9', null),
    ]);
  });

  it('4. 1,000 active reservations (any cycle): too_many_reservations; 2 comes first', () => {
    const ops: Obj[] = [limit('01-01T00:00:00', '0')];
    // admissionReserveSeconds 0: each reservation holds credits(0) = 0, so all fit (600 s each)
    for (let i = 0; i < 1000; i++) ops.push(admit('01-31T23:50:00', `M${i}`));
    ops.push(admit('02-01T00:00:00', 'M1000')); // cycle 1: the reservations of cycle 0 count
    ops.push(admit('02-01T00:00:00', 'M7')); // replayed, case 2 before case 4
    ops.push(admit('02-01T00:10:00', 'M1001')); // all expired at 23:50 + 600 s + 600 s = 00:10
    const o = run(scenario(plan({ admissionReserveSeconds: 0 }), ops, at('02-02T00:00:00')));
    expect(o.admissions).toHaveLength(1003);
    expect(o.admissions.slice(0, 1000).every((a) => a.allowed && a.maxSeconds === 600)).toBe(true);
    expect(o.admissions.slice(1000)).toEqual([
      refused('02-01T00:00:00', 'M1000', 0, 'too_many_reservations'),
      allowed('02-01T00:00:00', 'M7', 600),
      allowed('02-01T00:10:00', 'M1001', 600),
    ]);
  });

  it('5. headroom with free seconds: 0 up to them, then a jump', () => {
    const p = (extra: Obj): Obj =>
      plan({ allowanceCredits: '0', freeSeconds: 30, overageLimitCredits: '0', ...extra });
    // headroom 0: credits(30) = 0 and credits(31) = 517 -> 30 s, below the default minimum of 60
    expect(run(scenario(p({}), [admit('01-02T00:00:00', 'A')])).admissions).toEqual([
      refused('01-02T00:00:00', 'A', 30, 'limit_reached'),
    ]);
    // with admissionMinimumSeconds 30 it is allowed and reserves credits(30) = 0
    const o = run(
      scenario(p({ admissionMinimumSeconds: 30 }), [
        admit('01-02T00:00:00', 'A'),
        admit('01-02T00:00:01', 'B'),
      ]),
    );
    expect(o.admissions).toEqual([
      allowed('01-02T00:00:00', 'A', 30),
      allowed('01-02T00:00:01', 'B', 30),
    ]);
  });

  it('5. minute and block rounding, minimum seconds', () => {
    const one = (p: Obj): unknown =>
      run(scenario(p, [admit('01-02T00:00:00', 'A')])).admissions[0]!.maxSeconds;
    const lim = { overageLimitCredits: '0' };
    // minute: ceil(s/60) * 1,000 <= 2,500 -> ceil(s/60) <= 2 -> 120
    expect(one(plan({ ...lim, allowanceCredits: '2.5', rounding: { mode: 'minute' } }))).toBe(120);
    // block 30 + 6k at 6 credits/min (100 mc a second): billed <= 50 -> 48 (49 bills 54 s = 5,400)
    expect(
      one(
        plan({
          ...lim,
          allowanceCredits: '5',
          creditsPerMinute: '6',
          rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
        }),
      ),
    ).toBe(48);
    // minimum 60 s = 1,000 mc: with 500 mc of headroom not even 1 s fits
    expect(one(plan({ ...lim, allowanceCredits: '0.5', minimumSeconds: 60 }))).toBe(0);
    // with 1,200 mc: ceil(72,000/60) = 1,200 fits, ceil(73,000/60) = 1,217 does not
    expect(one(plan({ ...lim, allowanceCredits: '1.2', minimumSeconds: 60 }))).toBe(72);
    // rate 0: every s costs 0, so the whole range: 86,400
    expect(one(plan({ ...lim, creditsPerMinute: '0' }))).toBe(86_400);
  });

  it('5. refused below admissionMinimumSeconds (and never allowed at 0 s)', () => {
    const o = run(
      scenario(
        plan({ allowanceCredits: '1.5', overageLimitCredits: '0', admissionMinimumSeconds: 120 }),
        [
          admit('01-02T00:00:00', 'A'), // 90 s fit (1,500 mc), minimum 120: refused
        ],
      ),
    );
    expect(o.admissions).toEqual([refused('01-02T00:00:00', 'A', 90, 'limit_reached')]);
    const z = run(
      scenario(
        plan({ allowanceCredits: '0', overageLimitCredits: '0', admissionMinimumSeconds: 0 }),
        [admit('01-02T00:00:00', 'A')],
      ),
    );
    expect(z.admissions).toEqual([refused('01-02T00:00:00', 'A', 0, 'limit_reached')]);
  });

  it('5. a headroom below zero (billed past the limit by a downgrade): 0 s', () => {
    const o = run(
      scenario(plan({ overageLimitCredits: '0' }), [
        call('C1', '01-02T10:00:00', '01-02T10:10:00'), // 10,000, all billable
        limit('01-02T11:00:00', '0'),
        {
          at: at('01-16T00:00:00'),
          type: 'changePlan',
          plan: plan({ id: 'small', allowanceCredits: '4' }),
          effective: 'now',
        },
        admit('01-16T00:00:01', 'A'), // 6,904 - 10,000 < 0
      ]),
    );
    expect(o.admissions).toEqual([refused('01-16T00:00:01', 'A', 0, 'limit_reached')]);
  });
});

describe('section 11: reservations', () => {
  const base = (ops: Obj[]): RefOutput =>
    run(scenario(plan(), [limit('01-01T00:00:00', '0'), admit('01-02T00:00:00', 'CA1'), ...ops]));
  const later = admit('01-02T00:10:00', 'CA9');

  it('released by an event with its callId, even one rejected later in the checks', () => {
    // answer_required comes after the duplicate checks: the event releases CA1's 5,000
    const o = base([
      call('CA1', '01-02T00:01:00', '01-02T00:05:00', '01-02T00:05:00', { answeredAt: null }),
      later,
    ]);
    expect(o.rejected.map((r) => r.reason)).toEqual(['answer_required']);
    expect(o.admissions[1]).toEqual(allowed('01-02T00:10:00', 'CA9', 600));
  });

  it('not released by an event rejected as event_too_large, invalid_event or account_mismatch', () => {
    const bad: Obj[] = [
      { padding: 'x'.repeat(33_000) },
      { direction: 'sideways' },
      { accountId: 'other' },
    ];
    for (const ev of bad) {
      const o = base([
        call('CA1', '01-02T00:01:00', '01-02T00:05:00', '01-02T00:05:00', ev),
        later,
      ]);
      expect(o.rejected).toHaveLength(1);
      expect(o.admissions[1]).toEqual(allowed('01-02T00:10:00', 'CA9', 300)); // 10,000 - 5,000
    }
  });

  it('an accepted call releases it (and is then recorded)', () => {
    const o = base([
      call('CA1', '01-02T00:01:00', '01-02T00:04:00'), // 3,000 booked
      later, // 10,000 - 3,000 = 7,000: 420 s
      admit('01-02T00:11:00', 'CA1'),
    ]);
    expect(o.admissions.slice(1)).toEqual([
      allowed('01-02T00:10:00', 'CA9', 420),
      refused('01-02T00:11:00', 'CA1', 0, 'call_already_recorded'),
    ]);
  });

  it('expires at exactly admission + maxSeconds + 600 s', () => {
    // CA1 admitted at 00:00:00 for 600 s: active until 00:20:00.000 exclusive
    const before = base([admit('01-02T00:19:59.999', 'CA1'), admit('01-02T00:19:59.999', 'CA9')]);
    expect(before.admissions.slice(1)).toEqual([
      allowed('01-02T00:19:59.999', 'CA1', 600), // replayed
      allowed('01-02T00:19:59.999', 'CA9', 300), // 10,000 - 5,000 still reserved
    ]);
    const atExpiry = base([admit('01-02T00:20:00', 'CA9')]);
    expect(atExpiry.admissions[1]).toEqual(allowed('01-02T00:20:00', 'CA9', 600));
    // and CA1 itself is decided afresh at that instant (a new reservation, a new expiry)
    const again = base([admit('01-02T00:20:00', 'CA1'), admit('01-02T00:20:00', 'CA9')]);
    expect(again.admissions.slice(1)).toEqual([
      allowed('01-02T00:20:00', 'CA1', 600),
      allowed('01-02T00:20:00', 'CA9', 300),
    ]);
  });

  it('only counted in the cycle in which it was made', () => {
    const o = run(
      scenario(
        plan(),
        [
          limit('01-01T00:00:00', '0'),
          admit('01-31T23:55:00', 'CA1'), // cycle 0: 600 s, 5,000 reserved until 00:15
          admit('01-31T23:56:00', 'CA2'), // cycle 0: 300 s
          admit('02-01T00:00:00', 'CA3'), // cycle 1: its own 10,000: 600 s
          admit('02-01T00:01:00', 'CA1'), // still active: replayed
        ],
        at('02-10T00:00:00'),
      ),
    );
    expect(o.admissions.map((a) => a.maxSeconds)).toEqual([600, 300, 600, 600]);
  });
});

describe('section 12: auto top-up', () => {
  it('triggered by a booking, capped by maxPerCycle, charged at the plan price', () => {
    const o = run(
      scenario(plan({ purchasePricePerCredit: '0.12' }), [
        topUp('01-01T00:00:00', rule('5', '2', 2)), // 10 - 0 >= 5: nothing
        call('C1', '01-03T10:00:00', '01-03T10:08:00'), // 2,000 left < 5,000: +2 -> 4 -> +2 -> 6
        call('C2', '01-04T10:00:00', '01-04T10:04:00'), // 14,000 - 12,000 < 5,000: capped
      ]),
    );
    const entry = (id: string, when: string): Obj => ({
      source: 'autoTopUp',
      id,
      at: out(when),
      millicredits: 2000n,
      chargeMinor: 24n, // 2,000 * 120,000 * 100 / 10^9
      currency: 'USD',
    });
    expect(o.cycles[0]!.purchases).toEqual([
      entry('1', '01-03T10:08:00'),
      entry('2', '01-03T10:08:00'),
    ]);
    expect(o.cycles[0]!.purchasedMillicredits).toBe(4000n);
  });

  it('triggered by setAutoTopUp itself; a later rule counts the earlier top-ups', () => {
    const o = run(
      scenario(plan(), [
        topUp('01-02T00:00:00', rule('20', '5', 3)), // 10 < 20: +5, 15 < 20: +5, 20: stop
        topUp('01-03T00:00:00', rule('100', '1', 3)), // 20 < 100: one more, then 3 made: capped
        topUp('01-04T00:00:00', null), // off
        call('C1', '01-05T00:00:00', '01-05T00:20:00'),
      ]),
    );
    expect(o.cycles[0]!.purchases.map((p) => [p.id, p.at, p.millicredits])).toEqual([
      ['1', out('01-02T00:00:00'), 5000n],
      ['2', out('01-02T00:00:00'), 5000n],
      ['3', out('01-03T00:00:00'), 1000n],
    ]);
  });

  it('triggered by an admission reservation; the admission does not see its own top-up', () => {
    const o = run(
      scenario(plan(), [
        limit('01-01T00:00:00', '0'),
        topUp('01-01T00:00:00', rule('6', '1', 1)),
        admit('01-02T00:00:00', 'CA1'), // 600 s, reserves 5,000: 10 - 0 - 5 < 6: +1
      ]),
    );
    expect(o.admissions).toEqual([allowed('01-02T00:00:00', 'CA1', 600)]);
    expect(o.cycles[0]!.purchases.map((p) => [p.source, p.id, p.at])).toEqual([
      ['autoTopUp', '1', out('01-02T00:00:00')],
    ]);
  });

  it('at a cycle start: after the recurring purchases, ids from "1" again, capped', () => {
    const o = run(
      scenario(
        plan(),
        [
          purchase('01-05T00:00:00', 'r1', '3', { recurring: true }),
          topUp('01-06T00:00:00', rule('15', '1', 2)), // 13 < 15: +1, +1 -> 15
        ],
        at('02-02T00:00:00'),
      ),
    );
    expect(o.cycles[0]!.purchases.map((p) => [p.source, p.id])).toEqual([
      ['purchase', 'r1'],
      ['autoTopUp', '1'],
      ['autoTopUp', '2'],
    ]);
    // Feb 1: allowance 10 + r1 3 = 13 < 15: +1, +1
    expect(o.cycles[1]!.purchases.map((p) => [p.source, p.id, p.at])).toEqual([
      ['purchase', 'r1', out('02-01T00:00:00')],
      ['autoTopUp', '1', out('02-01T00:00:00')],
      ['autoTopUp', '2', out('02-01T00:00:00')],
    ]);
    expect(o.cycles[1]!.purchasedMillicredits).toBe(5000n);
  });

  it('a booking into a cycle in grace triggers nothing', () => {
    const o = run(
      scenario(
        plan(),
        [
          topUp('01-01T00:00:00', rule('1', '1', 5)),
          call('C1', '01-31T23:40:00', '01-31T23:55:00', '02-01T00:30:00'), // into cycle 0
        ],
        at('02-10T00:00:00'),
      ),
    );
    expect(o.cycles[0]!.usedMillicredits).toBe(15_000n);
    expect(o.cycles[0]!.purchases).toEqual([]);
    expect(o.cycles[1]!.purchases).toEqual([]);
  });
});

describe('order of effects within one operation (section 12)', () => {
  it('written off is computed before the top-ups the call triggers', () => {
    const o = run(
      scenario(plan(), [
        limit('01-01T00:00:00', '0'),
        topUp('01-01T00:00:00', rule('1', '10', 1)),
        call('C1', '01-03T10:00:00', '01-03T10:15:00'), // 15,000: 5,000 written off, then +10
      ]),
    );
    const c = o.cycles[0]!;
    expect(c.writtenOffMillicredits).toBe(5000n);
    expect(c.purchasedMillicredits).toBe(10_000n);
    expect(c.overageMillicredits).toBe(0n);
  });

  it('alerts once, after the top-ups', () => {
    const o = run(
      scenario(plan({ alertThresholdsPercent: [50, 100] }), [
        topUp('01-01T00:00:00', rule('1', '10', 1)),
        call('C1', '01-03T10:00:00', '01-03T10:10:00'), // 10,000 of 10,000, then +10: 50% only
      ]),
    );
    expect(o.cycles[0]!.alerts).toEqual([{ thresholdPercent: 50, at: out('01-03T10:10:00') }]);
  });

  it('a top-up made after a setAutoTopUp is a change: a fired threshold re-arms', () => {
    const o = run(
      scenario(plan({ alertThresholdsPercent: [100] }), [
        call('C1', '01-03T10:00:00', '01-03T10:10:00'), // 10,000 of 10,000: 100% fires
        topUp('01-04T00:00:00', rule('1', '5', 1)), // 0 left < 1: +5, 1e6 < 1.5e6 re-arms
        call('C2', '01-05T10:00:00', '01-05T10:05:00'), // 15,000 of 15,000: fires again
      ]),
    );
    expect(o.cycles[0]!.alerts).toEqual([
      { thresholdPercent: 100, at: out('01-03T10:10:00') },
      { thresholdPercent: 100, at: out('01-05T10:05:00') },
    ]);
  });

  it('an event releases its reservation before the top-up check', () => {
    const o = run(
      scenario(plan({ admissionReserveSeconds: 240 }), [
        limit('01-01T00:00:00', '0'),
        topUp('01-01T00:00:00', rule('7', '1', 2)),
        admit('01-02T00:00:00', 'CA1'), // reserves credits(240) = 4,000: 6,000 < 7,000: +1
        call('CA1', '01-02T00:01:00', '01-02T00:03:00'), // 11,000 - 2,000 - 0 >= 7,000
      ]),
    );
    // had the reservation still counted: 11,000 - 2,000 - 4,000 = 5,000 < 7,000, a second top-up
    expect(o.cycles[0]!.purchases.map((p) => [p.id, p.at])).toEqual([['1', out('01-02T00:00:00')]]);
  });

  it('at a cycle start: pending plan, allowance, recurring purchases, then top-ups', () => {
    const next = plan({ id: 'next', allowanceCredits: '2', purchasePricePerCredit: '1' });
    const o = run(
      scenario(
        plan(),
        [
          purchase('01-05T00:00:00', 'r1', '0.5', { recurring: true }),
          { at: at('01-10T00:00:00'), type: 'changePlan', plan: next, effective: 'next-cycle' },
          topUp('01-10T00:00:00', rule('3', '1', 1)),
          purchase('02-01T00:00:00', 'p1', '5'), // after the start (same instant)
        ],
        at('02-02T00:00:00'),
      ),
    );
    const c = o.cycles[1]!;
    expect(c.planId).toBe('next');
    expect(c.allowanceMillicredits).toBe(2000n);
    // 2 + 0.5 < 3 at the start: +1, at the new plan's price (1.00 a credit)
    expect(c.purchases.map((p) => [p.source, p.id, p.chargeMinor])).toEqual([
      ['purchase', 'r1', 50n],
      ['autoTopUp', '1', 100n],
      ['purchase', 'p1', 500n],
    ]);
  });
});

describe('malformed (section 8)', () => {
  const ok = (ops: Obj[], p: Obj = plan()): boolean => {
    try {
      run(scenario(p, ops));
      return true;
    } catch (e) {
      if (e instanceof ReferenceMalformed) return false;
      throw e;
    }
  };
  const when = at('01-02T00:00:00');
  it.each<[string, Obj, boolean]>([
    ['grant', { type: 'grant', grantId: 'g', credits: '1', reason: 'r' }, true],
    ['grant with an empty id', { type: 'grant', grantId: '', credits: '1', reason: 'r' }, false],
    ['grant of "0"', { type: 'grant', grantId: 'g', credits: '0', reason: 'r' }, false],
    ['grant of "0.000"', { type: 'grant', grantId: 'g', credits: '0.000', reason: 'r' }, false],
    ['grant of a number', { type: 'grant', grantId: 'g', credits: 1, reason: 'r' }, false],
    ['grant without reason', { type: 'grant', grantId: 'g', credits: '1' }, false],
    ['grant, empty reason', { type: 'grant', grantId: 'g', credits: '1', reason: '' }, false],
    [
      'grant, 200 astral code points',
      { type: 'grant', grantId: 'g', credits: '1', reason: '😀'.repeat(200) },
      true,
    ],
    [
      'grant, 201 code points',
      { type: 'grant', grantId: 'g', credits: '1', reason: 'r'.repeat(201) },
      false,
    ],
    ['limit "0"', { type: 'setOverageLimit', credits: '0' }, true],
    ['limit null', { type: 'setOverageLimit', credits: null }, true],
    ['limit without credits', { type: 'setOverageLimit' }, false],
    ['limit of a number', { type: 'setOverageLimit', credits: 0 }, false],
    ['admit', { type: 'admit', callId: 'C'.repeat(128) }, true],
    ['admit, 129 characters', { type: 'admit', callId: 'C'.repeat(129) }, false],
    ['admit, a space', { type: 'admit', callId: 'CA 1' }, false],
    ['admit, no callId', { type: 'admit' }, false],
    ['top-up null', { type: 'setAutoTopUp', autoTopUp: null }, true],
    ['top-up missing', { type: 'setAutoTopUp' }, false],
    [
      'top-up, unknown keys',
      { type: 'setAutoTopUp', x: 1, autoTopUp: { ...rule('0', '1', 100), y: 2 } },
      true,
    ],
    ['top-up of "0"', { type: 'setAutoTopUp', autoTopUp: rule('1', '0', 1) }, false],
    ['top-up, max 0', { type: 'setAutoTopUp', autoTopUp: rule('1', '1', 0) }, false],
    ['top-up, max 101', { type: 'setAutoTopUp', autoTopUp: rule('1', '1', 101) }, false],
    ['top-up, max 1.5', { type: 'setAutoTopUp', autoTopUp: rule('1', '1', 1.5) }, false],
    [
      'top-up, below a number',
      { type: 'setAutoTopUp', autoTopUp: { belowCredits: 1, credits: '1', maxPerCycle: 1 } },
      false,
    ],
    [
      'purchase price',
      { type: 'purchase', purchaseId: 'p', credits: '1', pricePerCredit: '0.000001' },
      true,
    ],
    [
      'purchase price null',
      { type: 'purchase', purchaseId: 'p', credits: '1', pricePerCredit: null },
      false,
    ],
    [
      'purchase price 7 decimals',
      { type: 'purchase', purchaseId: 'p', credits: '1', pricePerCredit: '0.1234567' },
      false,
    ],
  ])('%s', (_name, op, expected) => {
    expect(ok([{ at: when, ...op }])).toBe(expected);
  });

  it.each<[string, Obj, boolean]>([
    ['purchasePricePerCredit null', { purchasePricePerCredit: null }, true],
    ['purchasePricePerCredit a number', { purchasePricePerCredit: 0.1 }, false],
    ['overageLimitCredits null', { overageLimitCredits: null }, true],
    ['overageLimitCredits a number', { overageLimitCredits: 0 }, false],
    ['admissionMinimumSeconds 86,400', { admissionMinimumSeconds: 86_400 }, true],
    ['admissionMinimumSeconds 86,401', { admissionMinimumSeconds: 86_401 }, false],
    ['admissionMinimumSeconds null', { admissionMinimumSeconds: null }, false],
    ['admissionReserveSeconds -1', { admissionReserveSeconds: -1 }, false],
  ])('plan %s', (_name, extra, expected) => {
    expect(ok([], plan(extra))).toBe(expected);
  });
});

describe('maxSeconds (section 11 case 5)', () => {
  const planArb = fc.record({
    id: fc.constant('p'),
    allowanceCredits: fc.constant('0'),
    creditsPerMinute: fc.constantFrom('1', '0.333', '2.5', '0', '7', '0.001', '60'),
    rounding: fc.oneof(
      fc.constant({ mode: 'second' }),
      fc.constant({ mode: 'minute' }),
      fc.record({
        mode: fc.constant('block'),
        firstBlockSeconds: fc.integer({ min: 0, max: 300 }),
        blockSeconds: fc.integer({ min: 1, max: 120 }),
      }),
    ),
    minimumSeconds: fc.integer({ min: 0, max: 400 }),
    freeSeconds: fc.integer({ min: 0, max: 400 }),
    overagePricePerCredit: fc.constant('0.1'),
    currency: fc.constant('USD'),
  });

  it('credits of s raw seconds never decrease as s grows (so the binary search is exact)', () => {
    fc.assert(
      fc.property(planArb, fc.integer({ min: 0, max: 86_399 }), (p, s) => {
        const a = modelInternals.creditsOfRawSeconds(p, s);
        const b = modelInternals.creditsOfRawSeconds(p, s + 1);
        expect(b >= a).toBe(true);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('equals a linear scan over 0..86,400 (the largest s whose credits fit)', () => {
    fc.assert(
      fc.property(
        planArb,
        fc.oneof(fc.bigInt({ min: -5n, max: 20_000n }), fc.bigInt({ min: 0n, max: 2_000_000n })),
        (p, headroom) => {
          let best = 0;
          for (let s = 0; s <= 86_400; s++)
            if (modelInternals.creditsOfRawSeconds(p, s) <= headroom) best = s;
          expect(modelInternals.maxSeconds(p, headroom)).toBe(best);
        },
      ),
      { numRuns: 25, seed: 12 },
    );
  }, 60_000);
});
