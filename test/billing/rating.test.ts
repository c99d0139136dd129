import { describe, expect, it } from 'vitest';
import { billedSeconds, creditsForSeconds, rateCall, rawSeconds } from '../../billing/rating.js';
import { call, plan } from './builders.js';

const perSecond = plan();
const perMinute = plan({ rounding: { mode: 'minute' } });
const block30by6 = plan({ rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 } });

/** A call answered at 10:00:00.000Z on 2 Feb 2026 that ended `endedAt` later. */
const answered = (endedAt: string, extra: Record<string, unknown> = {}) =>
  call({ answeredAt: '2026-02-02T10:00:00Z', endedAt, ...extra });

describe('raw seconds', () => {
  it('a completed inbound call of 60 s has 60 raw seconds', () => {
    expect(rawSeconds(answered('2026-02-02T10:01:00Z'), perSecond)).toBe(60);
  });

  it('connected time is ceiled from ms: 60.001 s -> 61 s; 15:04:05.120 to 15:07:44.000 (218.88 s) -> 219 s', () => {
    expect(rawSeconds(answered('2026-02-02T10:01:00.001Z'), perSecond)).toBe(61);
    const spec = call({
      answeredAt: '2026-03-02T15:04:05.120Z',
      endedAt: '2026-03-02T15:07:44.000Z',
    });
    expect(rawSeconds(spec, perSecond)).toBe(219);
  });

  it('a call answered and ended at the same instant has 0 raw seconds', () => {
    expect(rawSeconds(answered('2026-02-02T10:00:00Z'), perSecond)).toBe(0);
  });

  it.each(['no-answer', 'busy', 'failed', 'canceled'])(
    'a %s call has 0 raw seconds even with answeredAt and 60 s of connection',
    (status) => {
      expect(rawSeconds(answered('2026-02-02T10:01:00Z', { status }), perSecond)).toBe(0);
    },
  );

  it('a child leg of a transfer (parentCallId set, even to "") has 0 raw seconds', () => {
    expect(rawSeconds(answered('2026-02-02T10:01:00Z', { parentCallId: 'CA0' }), perSecond)).toBe(
      0,
    );
    expect(rawSeconds(answered('2026-02-02T10:01:00Z', { parentCallId: '' }), perSecond)).toBe(0);
  });

  it('an outbound 60 s call: 0 raw seconds when billOutbound is false, 60 when true', () => {
    const outbound = answered('2026-02-02T10:01:00Z', { direction: 'outbound' });
    expect(rawSeconds(outbound, perSecond)).toBe(0);
    expect(rawSeconds(outbound, plan({ billOutbound: true }))).toBe(60);
  });

  it('an inbound call is billed whatever billOutbound says', () => {
    expect(rawSeconds(answered('2026-02-02T10:01:00Z'), plan({ billOutbound: true }))).toBe(60);
  });

  it('handoff: AI time ends at the handoff; 60 s call handed off at 30.5 s -> 31 raw seconds', () => {
    const handedOff = answered('2026-02-02T10:01:00Z', { handoffAt: '2026-02-02T10:00:30.500Z' });
    expect(rawSeconds(handedOff, perSecond)).toBe(31);
  });

  it('handoff at the answer gives 0; handoff at the end changes nothing (60)', () => {
    expect(
      rawSeconds(
        answered('2026-02-02T10:01:00Z', { handoffAt: '2026-02-02T10:00:00Z' }),
        perSecond,
      ),
    ).toBe(0);
    expect(
      rawSeconds(
        answered('2026-02-02T10:01:00Z', { handoffAt: '2026-02-02T10:01:00Z' }),
        perSecond,
      ),
    ).toBe(60);
  });

  it('hold and system time are subtracted: 60 - 10 hold - 5 system = 45', () => {
    const c = answered('2026-02-02T10:01:00Z', { holdSeconds: 10, systemSeconds: 5 });
    expect(rawSeconds(c, perSecond)).toBe(45);
  });

  it('never below zero: 60 - 50 hold - 20 system -> 0', () => {
    const c = answered('2026-02-02T10:01:00Z', { holdSeconds: 50, systemSeconds: 20 });
    expect(rawSeconds(c, perSecond)).toBe(0);
  });

  it('hold is subtracted after the handoff cut and the ceil: handoff at 30.2 s -> 31, minus 10 hold = 21', () => {
    const c = answered('2026-02-02T10:01:00Z', {
      handoffAt: '2026-02-02T10:00:30.200Z',
      holdSeconds: 10,
    });
    expect(rawSeconds(c, perSecond)).toBe(21);
  });

  it('the longest call, 24 h, has 86,400 raw seconds', () => {
    expect(
      rawSeconds(
        call({ answeredAt: '2026-02-02T10:00:00Z', endedAt: '2026-02-03T10:00:00Z' }),
        perSecond,
      ),
    ).toBe(86_400);
  });
});

describe('billed seconds: second rounding', () => {
  it('bills the raw seconds: 1 -> 1, 61 -> 61', () => {
    expect(billedSeconds(1, perSecond)).toBe(1);
    expect(billedSeconds(61, perSecond)).toBe(61);
  });

  it('0 raw seconds is free', () => {
    expect(billedSeconds(0, perSecond)).toBe(0);
  });
});

describe('billed seconds: minute rounding', () => {
  it('ceils to whole minutes: 1 -> 60, 60 -> 60, 61 -> 120, 119 -> 120, 121 -> 180', () => {
    expect([1, 60, 61, 119, 121].map((raw) => billedSeconds(raw, perMinute))).toEqual([
      60, 60, 120, 120, 180,
    ]);
  });
});

describe('billed seconds: block rounding (first block 30 s, then 6 s blocks)', () => {
  it('up to the first block bills the first block: 1 -> 30, 30 -> 30', () => {
    expect(billedSeconds(1, block30by6)).toBe(30);
    expect(billedSeconds(30, block30by6)).toBe(30);
  });

  it('beyond it, whole blocks: 31 -> 36, 36 -> 36, 37 -> 42, 61 -> 30 + ceil(31/6) * 6 = 66', () => {
    expect([31, 36, 37, 61].map((raw) => billedSeconds(raw, block30by6))).toEqual([36, 36, 42, 66]);
  });

  it('a 0 s first block with 60 s blocks is minute rounding: 1 -> 60, 61 -> 120', () => {
    const p = plan({ rounding: { mode: 'block', firstBlockSeconds: 0, blockSeconds: 60 } });
    expect(billedSeconds(1, p)).toBe(60);
    expect(billedSeconds(61, p)).toBe(120);
  });

  it('a 60 s first block with 1 s blocks: 1 -> 60, 61 -> 61', () => {
    const p = plan({ rounding: { mode: 'block', firstBlockSeconds: 60, blockSeconds: 1 } });
    expect(billedSeconds(1, p)).toBe(60);
    expect(billedSeconds(61, p)).toBe(61);
  });
});

describe('free seconds', () => {
  it('free 10 s: a 10 s call is free, an 11 s call bills all 11 s (free time is not deducted)', () => {
    const p = plan({ freeSeconds: 10 });
    expect(billedSeconds(10, p)).toBe(0);
    expect(billedSeconds(11, p)).toBe(11);
  });

  it('free 10 s with minute rounding: 10 -> 0, 11 -> 60', () => {
    const p = plan({ freeSeconds: 10, rounding: { mode: 'minute' } });
    expect(billedSeconds(10, p)).toBe(0);
    expect(billedSeconds(11, p)).toBe(60);
  });

  it('free 30 s with block 30/6 rounding: 30 -> 0, 31 -> 36', () => {
    const p = plan({
      freeSeconds: 30,
      rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
    });
    expect(billedSeconds(30, p)).toBe(0);
    expect(billedSeconds(31, p)).toBe(36);
  });

  it('free 86,400 s makes even a 24 h call free', () => {
    expect(billedSeconds(86_400, plan({ freeSeconds: 86_400 }))).toBe(0);
  });
});

describe('minimum seconds', () => {
  it('minimum 30 s with second rounding: 5 -> 30, 45 -> 45', () => {
    const p = plan({ minimumSeconds: 30 });
    expect(billedSeconds(5, p)).toBe(30);
    expect(billedSeconds(45, p)).toBe(45);
  });

  it('a 0 s call stays free under a 30 s minimum', () => {
    expect(billedSeconds(0, plan({ minimumSeconds: 30 }))).toBe(0);
  });

  it('free is decided before the minimum: free 10 + minimum 30: 10 -> 0, 11 -> 30', () => {
    const p = plan({ freeSeconds: 10, minimumSeconds: 30 });
    expect(billedSeconds(10, p)).toBe(0);
    expect(billedSeconds(11, p)).toBe(30);
  });

  it('the minimum applies after minute rounding: minimum 90: 1 -> max(60, 90) = 90, 61 -> max(120, 90) = 120', () => {
    const p = plan({ minimumSeconds: 90, rounding: { mode: 'minute' } });
    expect(billedSeconds(1, p)).toBe(90);
    expect(billedSeconds(61, p)).toBe(120);
  });

  it('the minimum applies after block rounding: minimum 45 with 30/6: 1 -> 45, 50 -> 30 + 24 = 54', () => {
    const p = plan({
      minimumSeconds: 45,
      rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
    });
    expect(billedSeconds(1, p)).toBe(45);
    expect(billedSeconds(50, p)).toBe(54);
  });

  it('free 20, minimum 45, block 30/6 together: 20 -> 0, 21 -> max(30, 45) = 45, 46 -> 48', () => {
    const p = plan({
      freeSeconds: 20,
      minimumSeconds: 45,
      rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
    });
    expect([20, 21, 46].map((raw) => billedSeconds(raw, p))).toEqual([0, 45, 48]);
  });
});

describe('credits of a call = ceil(billed * rate_mc / 60)', () => {
  it('1 credit/min: 60 s = 1,000 mc; 61 s = ceil(61,000 / 60) = 1,017 mc', () => {
    expect(creditsForSeconds(60, perSecond)).toBe(1_000n);
    expect(creditsForSeconds(61, perSecond)).toBe(1_017n);
  });

  it('fractional rate 0.333 credits/min (333 mc/min): 60 s = 333, 61 s = ceil(20,313 / 60) = 339, 1 s = ceil(333 / 60) = 6', () => {
    const p = plan({ creditsPerMinute: '0.333' });
    expect(creditsForSeconds(60, p)).toBe(333n);
    expect(creditsForSeconds(61, p)).toBe(339n);
    expect(creditsForSeconds(1, p)).toBe(6n);
  });

  it('2.5 credits/min: 90 s = 3,750 mc exactly', () => {
    expect(creditsForSeconds(90, plan({ creditsPerMinute: '2.5' }))).toBe(3_750n);
  });

  it('the smallest rate 0.001 credits/min: 1 s is still ceil(1 / 60) = 1 mc', () => {
    expect(creditsForSeconds(1, plan({ creditsPerMinute: '0.001' }))).toBe(1n);
  });

  it('rate "0": a billed call costs 0 mc', () => {
    expect(creditsForSeconds(600, plan({ creditsPerMinute: '0' }))).toBe(0n);
  });

  it('0 billed seconds cost 0 mc', () => {
    expect(creditsForSeconds(0, perSecond)).toBe(0n);
  });

  it('past 2^53 exactly: 86,400 s at 999,999,999,999.999 credits/min = 1,439,999,999,999,998,560 mc', () => {
    const p = plan({ creditsPerMinute: '999999999999.999' });
    expect(creditsForSeconds(86_400, p)).toBe(1_439_999_999_999_998_560n);
  });
});

describe('rating a call', () => {
  it('minute rounding: 61 s raw bills 120 s = 2,000 mc at 1 credit/min', () => {
    expect(rateCall(answered('2026-02-02T10:01:01Z'), perMinute)).toEqual({
      rawSeconds: 61,
      billedSeconds: 120,
      millicredits: 2_000n,
    });
  });

  it('block 30/6 at 0.333 credits/min: 37 s raw bills 42 s = ceil(42 * 333 / 60) = ceil(233.1) = 234 mc', () => {
    const p = plan({
      creditsPerMinute: '0.333',
      rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
    });
    expect(rateCall(answered('2026-02-02T10:00:37Z'), p)).toEqual({
      rawSeconds: 37,
      billedSeconds: 42,
      millicredits: 234n,
    });
  });

  it('a free call: 8 s under free 10 s bills 0 s and 0 mc', () => {
    expect(rateCall(answered('2026-02-02T10:00:08Z'), plan({ freeSeconds: 10 }))).toEqual({
      rawSeconds: 8,
      billedSeconds: 0,
      millicredits: 0n,
    });
  });

  it('an unbilled outbound call with a minimum: 0 raw, 0 billed, 0 mc', () => {
    const outbound = answered('2026-02-02T10:01:00Z', { direction: 'outbound' });
    expect(rateCall(outbound, plan({ minimumSeconds: 30 }))).toEqual({
      rawSeconds: 0,
      billedSeconds: 0,
      millicredits: 0n,
    });
  });

  it('an outbound 45 s call on a billOutbound plan with a 60 s minimum at 2 credits/min: 60 s = 2,000 mc', () => {
    const outbound = answered('2026-02-02T10:00:45Z', { direction: 'outbound' });
    const p = plan({ billOutbound: true, minimumSeconds: 60, creditsPerMinute: '2' });
    expect(rateCall(outbound, p)).toEqual({
      rawSeconds: 45,
      billedSeconds: 60,
      millicredits: 2_000n,
    });
  });
});
