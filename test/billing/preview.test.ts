/**
 * `runPreview`: section 8 as a function. Scenarios default to an account in UTC created
 * 2026-01-01T00:00:00Z with boundaries on the 1st at 00:00 (grace 3,600 s), plan growth
 * (1,000 credits, 1 credit/min, $0.12), until 2026-03-01T00:00:00Z.
 */
import { describe, expect, it } from 'vitest';
import { toJson } from '../../billing/json.js';
import { runPreview } from '../../billing/preview.js';
import { MalformedScenarioError } from '../../billing/scenario.js';
import { callLasting, callOp, eventJson, planJson, scenario } from './builders.js';

type Json = Record<string, unknown>;

const purchase = (at: string, purchaseId: string, credits: string, recurring?: boolean): Json => ({
  at,
  type: 'purchase',
  purchaseId,
  credits,
  ...(recurring === undefined ? {} : { recurring }),
});
const cancel = (at: string, purchaseId: string): Json => ({
  at,
  type: 'cancelPurchase',
  purchaseId,
});
const changePlan = (at: string, plan: Json, effective?: string): Json => ({
  at,
  type: 'changePlan',
  plan,
  ...(effective === undefined ? {} : { effective }),
});

const run = (overrides: Json = {}, account: Json = {}) => runPreview(scenario(overrides, account));

describe('output shape', () => {
  it('lists cycles from the first through the one containing until, with keys in the order of section 8', () => {
    const out = run();
    expect(Object.keys(out)).toEqual(['cycles', 'rejected', 'duplicates', 'admissions']);
    expect(out.cycles.map((c) => [c.index, c.start, c.end, c.closed])).toEqual([
      [0, '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z', true],
      [1, '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', false],
      [2, '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', false],
    ]);
    expect(Object.keys(out.cycles[0]!)).toEqual([
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
    expect(out.rejected).toEqual([]);
    expect(out.duplicates).toBe(0);
    expect(out.admissions).toEqual([]);
  });

  it('a closed cycle without overage charges 0; a cycle not yet closed shows null', () => {
    const out = run();
    expect(out.cycles[0]).toEqual({
      index: 0,
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-02-01T00:00:00.000Z',
      closed: true,
      planId: 'growth',
      allowanceMillicredits: 1_000_000n,
      purchasedMillicredits: 0n,
      usedMillicredits: 0n,
      billableSeconds: 0,
      lateAdjustments: 0,
      overageMillicredits: 0n,
      overageChargeMinor: 0n,
      grantedMillicredits: 0n,
      writtenOffMillicredits: 0n,
      purchases: [],
      alerts: [],
    });
    expect(out.cycles[1]!.overageChargeMinor).toBeNull();
  });

  it('closed means end + grace <= until: until 1 Mar 00:59:59.999 leaves February open, 01:00:00 closes it', () => {
    expect(run({ until: '2026-03-01T00:59:59.999Z' }).cycles[1]).toMatchObject({
      closed: false,
      overageChargeMinor: null,
    });
    expect(run({ until: '2026-03-01T01:00:00Z' }).cycles[1]).toMatchObject({
      closed: true,
      overageChargeMinor: 0n,
    });
  });

  it('until 1 ms before a boundary: the last cycle is the one before it', () => {
    expect(run({ until: '2026-02-28T23:59:59.999Z' }).cycles).toHaveLength(2);
  });

  it('until equal to createdAt: one open cycle', () => {
    const out = run({ until: '2026-01-01T00:00:00Z' });
    expect(out.cycles).toHaveLength(1);
    expect(out.cycles[0]).toMatchObject({ closed: false, overageChargeMinor: null });
  });

  it('grace 0: a cycle is closed as soon as until reaches its end', () => {
    const out = run({ until: '2026-02-01T00:00:00Z' }, { graceSeconds: 0 });
    expect(out.cycles.map((c) => c.closed)).toEqual([true, false]);
  });

  it('prints amounts as JSON integers, exact past 2^53', () => {
    const out = run({
      plan: planJson({ allowanceCredits: '0', creditsPerMinute: '999999999999.999' }),
      operations: [
        callOp('2026-01-11T00:00:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 86_400)),
      ],
      until: '2026-02-01T01:00:00Z',
    });
    expect(out.cycles[0]).toMatchObject({
      usedMillicredits: 1_439_999_999_999_998_560n,
      overageMillicredits: 1_439_999_999_999_998_560n,
      overageChargeMinor: 17_279_999_999_999_983n,
    });
    const text = toJson(out);
    expect(text).toContain('"usedMillicredits": 1439999999999998560,');
    expect(text).toContain('"overageChargeMinor": 17279999999999983,');
  });
});

describe('the spec example (section 8), with a call that arrives after it ends', () => {
  const spec = {
    account: {
      id: 'acme',
      timeZone: 'Europe/Berlin',
      createdAt: '2026-01-31T08:00:00Z',
      billingAnchor: '2026-01-31T09:00:00',
      graceSeconds: 3600,
      maxLateSeconds: 3024000,
    },
    plan: planJson({ name: 'Growth', alertThresholdsPercent: [50, 80, 100] }),
    until: '2026-05-01T00:00:00Z',
    operations: [
      callOp('2026-03-02T15:08:00Z', {
        callId: 'CA123',
        accountId: 'acme',
        direction: 'inbound',
        status: 'completed',
        answeredAt: '2026-03-02T15:04:05.120Z',
        endedAt: '2026-03-02T15:07:44.000Z',
        handoffAt: null,
        holdSeconds: 0,
        systemSeconds: 0,
        parentCallId: null,
      }),
    ],
  };

  it('cycles end 28 Feb 08:00Z, 31 Mar 07:00Z, 30 Apr 07:00Z, 31 May 07:00Z; three are closed by 1 May', () => {
    const out = runPreview(spec);
    expect(out.cycles.map((c) => [c.start, c.end, c.closed])).toEqual([
      ['2026-01-31T08:00:00.000Z', '2026-02-28T08:00:00.000Z', true],
      ['2026-02-28T08:00:00.000Z', '2026-03-31T07:00:00.000Z', true],
      ['2026-03-31T07:00:00.000Z', '2026-04-30T07:00:00.000Z', true],
      ['2026-04-30T07:00:00.000Z', '2026-05-31T07:00:00.000Z', false],
    ]);
  });

  it('CA123 (218.88 s -> 219 s) costs ceil(219,000 / 60) = 3,650 mc in the second cycle', () => {
    const out = runPreview(spec);
    expect(out.cycles[1]).toMatchObject({
      usedMillicredits: 3_650n,
      billableSeconds: 219,
      alerts: [],
    });
  });

  it('the event as the spec writes it, arriving 2026-02-01T10:00:00Z, is a month in the future: future_timestamp', () => {
    const early = { ...spec, operations: [{ ...spec.operations[0], at: '2026-02-01T10:00:00Z' }] };
    expect(runPreview(early).rejected).toEqual([
      { callId: 'CA123', at: '2026-02-01T10:00:00.000Z', reason: 'future_timestamp' },
    ]);
  });
});

describe('rejected events and duplicates', () => {
  it('a rejected entry has the event callId, the arrival as `at` and the reason, in the order applied', () => {
    const out = run({
      operations: [
        callOp('2026-01-20T00:00:00.5Z', eventJson({ callId: 'X', answeredAt: null })),
        callOp('2026-01-10T00:00:00+01:00', eventJson({ callId: 'Y', direction: 'up' })),
      ],
    });
    expect(out.rejected).toEqual([
      { callId: 'Y', at: '2026-01-09T23:00:00.000Z', reason: 'invalid_event' },
      { callId: 'X', at: '2026-01-20T00:00:00.500Z', reason: 'answer_required' },
    ]);
    expect(Object.keys(out.rejected[0]!)).toEqual(['callId', 'at', 'reason']);
  });

  it('callId is null when the event has no string callId', () => {
    const out = run({
      operations: [
        callOp('2026-01-10T00:00:00Z', { callId: 42 }),
        callOp('2026-01-10T00:00:00Z', null),
        callOp('2026-01-10T00:00:00Z', ['CA1']),
      ],
    });
    expect(out.rejected.map((r) => [r.callId, r.reason])).toEqual([
      [null, 'invalid_event'],
      [null, 'invalid_event'],
      [null, 'invalid_event'],
    ]);
  });

  it('a call operation without an event is a rejected invalid_event with callId null', () => {
    const out = run({ operations: [{ at: '2026-01-10T00:00:00Z', type: 'call' }] });
    expect(out.rejected).toEqual([
      { callId: null, at: '2026-01-10T00:00:00.000Z', reason: 'invalid_event' },
    ]);
  });

  it('an event for another account is account_mismatch', () => {
    const out = run({
      operations: [callOp('2026-02-02T10:05:00Z', eventJson({ accountId: 'globex' }))],
    });
    expect(out.rejected).toEqual([
      { callId: 'CA1', at: '2026-02-02T10:05:00.000Z', reason: 'account_mismatch' },
    ]);
  });

  it('a call answered before the account was created is before_account_start', () => {
    const event = eventJson({
      answeredAt: '2025-12-31T23:59:00Z',
      endedAt: '2026-01-01T00:01:00Z',
    });
    expect(run({ operations: [callOp('2026-01-01T00:02:00Z', event)] }).rejected[0]!.reason).toBe(
      'before_account_start',
    );
  });

  it('too_old uses the account maxLateSeconds: 86,400 s; a call arriving 1 day + 1 ms after it ended is rejected', () => {
    const event = eventJson({
      answeredAt: '2026-01-10T00:00:00Z',
      endedAt: '2026-01-10T00:01:00Z',
    });
    const out = run(
      {
        operations: [
          callOp('2026-01-11T00:01:00Z', event),
          callOp('2026-01-11T00:01:00.001Z', { ...event, callId: 'CA2' }),
        ],
      },
      { maxLateSeconds: 86_400 },
    );
    expect(out.rejected.map((r) => [r.callId, r.reason])).toEqual([['CA2', 'too_old']]);
    expect(out.cycles[0]!.usedMillicredits).toBe(1_000n);
  });

  it('a resend with the same content is counted as a duplicate and billed once', () => {
    const event = callLasting('CA1', '2026-01-10T00:00:00Z', 60);
    const out = run({
      operations: [
        callOp('2026-01-10T00:02:00Z', event),
        callOp('2026-01-10T00:03:00Z', event),
        callOp('2026-02-20T00:00:00Z', event),
      ],
    });
    expect(out.duplicates).toBe(2);
    expect(out.rejected).toEqual([]);
    expect(out.cycles[0]).toMatchObject({ usedMillicredits: 1_000n, billableSeconds: 60 });
  });

  it('a resend with other content is conflicting_duplicate; the first version stands', () => {
    const out = run({
      operations: [
        callOp('2026-01-10T00:02:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 60)),
        callOp('2026-01-10T00:03:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 600)),
      ],
    });
    expect(out.rejected).toEqual([
      { callId: 'CA1', at: '2026-01-10T00:03:00.000Z', reason: 'conflicting_duplicate' },
    ]);
    expect(out.cycles[0]!.usedMillicredits).toBe(1_000n);
  });

  it('a rejected version does not take the id: its corrected resend is billed', () => {
    const out = run({
      operations: [
        callOp(
          '2026-01-10T00:02:00Z',
          eventJson({ answeredAt: null, endedAt: '2026-01-10T00:01:00Z' }),
        ),
        callOp('2026-01-10T00:03:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 60)),
      ],
    });
    expect(out.rejected.map((r) => r.reason)).toEqual(['answer_required']);
    expect(out.cycles[0]!.usedMillicredits).toBe(1_000n);
  });
});

describe('order of operations', () => {
  it('operations are applied in order of `at`, not as listed: the 10 Jan call fires 50% before the 20 Jan purchase', () => {
    const out = run({
      plan: planJson({ allowanceCredits: '10', alertThresholdsPercent: [50] }),
      operations: [
        purchase('2026-01-20T00:00:00Z', 'p1', '10'),
        callOp('2026-01-10T00:10:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 360)),
      ],
    });
    expect(out.cycles[0]!.alerts).toEqual([
      { thresholdPercent: 50, at: '2026-01-10T00:10:00.000Z' },
    ]);
  });

  it('ties are applied in the order given: of two versions of CA1 at the same instant, the first listed is accepted', () => {
    const short = callOp('2026-01-10T00:10:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 60));
    const long = callOp('2026-01-10T00:10:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 120));
    expect(run({ operations: [short, long] }).cycles[0]!.usedMillicredits).toBe(1_000n);
    expect(run({ operations: [long, short] }).cycles[0]!.usedMillicredits).toBe(2_000n);
  });

  it('a call and a now change at the same instant: the call listed before the change keeps the old plan (5 min = 5,000 mc), the one after uses the new (5 credits/min = 25,000 mc)', () => {
    const call = (id: string) =>
      callOp('2026-01-05T10:05:00Z', callLasting(id, '2026-01-05T10:05:00Z', 300));
    const out = run({
      operations: [
        call('C1'),
        changePlan(
          '2026-01-05T10:05:00Z',
          planJson({ id: 'b', allowanceCredits: '2000', creditsPerMinute: '5' }),
          'now',
        ),
        call('C2'),
      ],
    });
    expect(out.cycles[0]).toMatchObject({ planId: 'b', usedMillicredits: 30_000n });
  });

  it("an operation at a boundary instant happens after the new cycle starts: a purchase at 1 Feb 00:00 is February's", () => {
    const out = run({ operations: [purchase('2026-02-01T00:00:00Z', 'p1', '5')] });
    expect(out.cycles.map((c) => c.purchasedMillicredits)).toEqual([0n, 5_000n, 0n]);
  });
});

describe('purchases', () => {
  it('a recurring purchase repeats each cycle until cancelled; the cancel keeps the current grant', () => {
    const out = run({
      until: '2026-04-15T00:00:00Z',
      operations: [
        purchase('2026-01-05T00:00:00Z', 'r1', '50', true),
        cancel('2026-02-10T00:00:00Z', 'r1'),
      ],
    });
    expect(out.cycles.map((c) => c.purchasedMillicredits)).toEqual([50_000n, 50_000n, 0n, 0n]);
  });

  it('a purchase id already used is ignored, even with other credits or recurring flag', () => {
    const out = run({
      operations: [
        purchase('2026-01-05T00:00:00Z', 'p1', '100'),
        purchase('2026-01-06T00:00:00Z', 'p1', '50', true),
      ],
    });
    expect(out.cycles.map((c) => c.purchasedMillicredits)).toEqual([100_000n, 0n, 0n]);
  });

  it('an id used by a cancelled purchase cannot be bought again', () => {
    const out = run({
      operations: [
        purchase('2026-01-05T00:00:00Z', 'r1', '50', true),
        cancel('2026-01-10T00:00:00Z', 'r1'),
        purchase('2026-01-15T00:00:00Z', 'r1', '70', true),
      ],
    });
    expect(out.cycles.map((c) => c.purchasedMillicredits)).toEqual([50_000n, 0n, 0n]);
  });

  it('a cancel before its purchase matches nothing and is ignored: the later recurring purchase still repeats', () => {
    const out = run({
      operations: [
        cancel('2026-01-03T00:00:00Z', 'r1'),
        purchase('2026-01-05T00:00:00Z', 'r1', '50', true),
      ],
    });
    expect(out.cycles.map((c) => c.purchasedMillicredits)).toEqual([50_000n, 50_000n, 50_000n]);
  });

  it('cancelling a one-time purchase changes nothing', () => {
    const out = run({
      operations: [
        purchase('2026-01-05T00:00:00Z', 'p1', '100'),
        cancel('2026-01-06T00:00:00Z', 'p1'),
      ],
    });
    expect(out.cycles[0]!.purchasedMillicredits).toBe(100_000n);
  });

  it('a purchase of "0" credits is accepted and uses up its id', () => {
    const out = run({
      operations: [
        purchase('2026-01-05T00:00:00Z', 'p1', '0'),
        purchase('2026-01-06T00:00:00Z', 'p1', '10'),
      ],
    });
    expect(out.cycles[0]!.purchasedMillicredits).toBe(0n);
  });

  it('the empty string is a purchase id like any other', () => {
    const out = run({
      operations: [
        purchase('2026-01-05T00:00:00Z', '', '1'),
        purchase('2026-01-06T00:00:00Z', '', '1'),
      ],
    });
    expect(out.cycles[0]!.purchasedMillicredits).toBe(1_000n);
  });
});

describe('plans, overage and alerts', () => {
  it('a downgrade without `effective` applies from the next cycle, and that cycle shows the new planId', () => {
    const out = run({
      operations: [
        changePlan('2026-01-10T00:00:00Z', planJson({ id: 'small', allowanceCredits: '400' })),
      ],
    });
    expect(out.cycles.map((c) => [c.planId, c.allowanceMillicredits])).toEqual([
      ['growth', 1_000_000n],
      ['small', 400_000n],
      ['small', 400_000n],
    ]);
  });

  it('an upgrade without `effective` applies now: 1,000 -> 2,000 credits on 16 Jan 12:00 (15.5 of 31 days left) = 1,500,000 mc', () => {
    const out = run({
      operations: [
        changePlan('2026-01-16T12:00:00Z', planJson({ id: 'double', allowanceCredits: '2000' })),
      ],
    });
    expect(out.cycles[0]).toMatchObject({ planId: 'double', allowanceMillicredits: 1_500_000n });
  });

  it('the currency of the plan in effect at the end prices the overage: JPY at ¥1, 500 mc over = ¥0.5 -> ¥1', () => {
    const out = run({
      plan: planJson({ allowanceCredits: '10' }),
      until: '2026-02-01T01:00:00Z',
      operations: [
        callOp('2026-01-10T00:20:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 630)),
        changePlan(
          '2026-01-31T23:59:59.999Z',
          planJson({
            id: 'yen',
            allowanceCredits: '10',
            currency: 'JPY',
            overagePricePerCredit: '1',
          }),
          'now',
        ),
      ],
    });
    expect(out.cycles[0]).toMatchObject({
      planId: 'yen',
      overageMillicredits: 500n,
      overageChargeMinor: 1n,
    });
  });

  it('USD overage rounding: 12.5 credits over at $0.01 = 12.5 cents -> 13 cents', () => {
    const out = run({
      plan: planJson({ allowanceCredits: '0', overagePricePerCredit: '0.01' }),
      until: '2026-02-01T01:00:00Z',
      operations: [callOp('2026-01-10T00:20:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 750))],
    });
    expect(out.cycles[0]).toMatchObject({ overageMillicredits: 12_500n, overageChargeMinor: 13n });
  });

  it('the open cycle shows its overage as of until, with the charge still null', () => {
    const out = run({
      plan: planJson({ allowanceCredits: '10' }),
      operations: [callOp('2026-02-10T00:20:00Z', callLasting('CA1', '2026-02-10T00:00:00Z', 630))],
    });
    expect(out.cycles[1]).toMatchObject({
      closed: false,
      overageMillicredits: 500n,
      overageChargeMinor: null,
    });
  });

  it("alerts: thresholds given as [100, 50] fire in ascending order at the call's arrival", () => {
    const out = run({
      plan: planJson({ allowanceCredits: '10', alertThresholdsPercent: [100, 50] }),
      operations: [
        callOp('2026-01-10T00:20:00.25Z', callLasting('CA1', '2026-01-10T00:00:00Z', 600)),
      ],
    });
    expect(out.cycles[0]!.alerts).toEqual([
      { thresholdPercent: 50, at: '2026-01-10T00:20:00.250Z' },
      { thresholdPercent: 100, at: '2026-01-10T00:20:00.250Z' },
    ]);
  });

  it('re-arm: 80 fires at 8,000/10,000 mc, a 10-credit purchase re-arms it, 16,000/20,000 fires it again', () => {
    const out = run({
      plan: planJson({ allowanceCredits: '10', alertThresholdsPercent: [80] }),
      operations: [
        callOp('2026-01-10T00:20:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 480)),
        purchase('2026-01-11T00:00:00Z', 'p1', '10'),
        callOp('2026-01-12T00:20:00Z', callLasting('CA2', '2026-01-12T00:00:00Z', 480)),
      ],
    });
    expect(out.cycles[0]!.alerts).toEqual([
      { thresholdPercent: 80, at: '2026-01-10T00:20:00.000Z' },
      { thresholdPercent: 80, at: '2026-01-12T00:20:00.000Z' },
    ]);
  });

  it("grace and late: a January call arriving during grace books to January without alerts; after the close it is February's late adjustment", () => {
    const out = run({
      plan: planJson({ allowanceCredits: '10', alertThresholdsPercent: [50] }),
      operations: [
        callOp('2026-02-01T00:30:00Z', callLasting('CA1', '2026-01-31T23:00:00Z', 360)),
        callOp('2026-02-01T01:00:00Z', callLasting('CA2', '2026-01-31T23:10:00Z', 360)),
      ],
    });
    expect(out.cycles[0]).toMatchObject({
      usedMillicredits: 6_000n,
      lateAdjustments: 0,
      alerts: [],
    });
    expect(out.cycles[1]).toMatchObject({
      usedMillicredits: 6_000n,
      lateAdjustments: 1,
      alerts: [{ thresholdPercent: 50, at: '2026-02-01T01:00:00.000Z' }],
    });
  });
});

describe('instants in the output', () => {
  it('are UTC with milliseconds whatever offset the input used', () => {
    const out = run(
      { until: '2026-03-01T05:30:00.5+05:30' },
      { createdAt: '2026-01-01T01:00:00+01:00' },
    );
    expect(out.cycles[0]!.start).toBe('2026-01-01T00:00:00.000Z');
  });

  it("a cycle ending after 9999-12-31 is written in Date's expanded form (+010000-...)", () => {
    const out = run(
      { until: '9999-12-15T00:00:00Z' },
      { createdAt: '9999-12-01T00:00:00Z', billingAnchor: '9999-12-01T00:00:00' },
    );
    expect(out.cycles.at(-1)!.end).toBe('+010000-01-01T00:00:00.000Z');
  });
});

describe('malformed input', () => {
  it('throws MalformedScenarioError (the CLI turns it into exit 2)', () => {
    expect(() => runPreview({})).toThrow(MalformedScenarioError);
    expect(() => run({ plan: planJson({ currency: 'BTC' }) })).toThrow(MalformedScenarioError);
  });
});
