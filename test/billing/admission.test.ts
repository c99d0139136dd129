/**
 * Call admission and reservations (BILLING-RULES.md section 11), with hand-worked numbers.
 * Account "acme" in UTC created 1 Jan 2026, cycles on the 1st; plan "ten": 10 credits
 * (10,000 mc), 1 credit/min (credits(s) = ceil(s * 1,000 / 60) mc), per-second rounding.
 * headroom = available + L - billedUsed - reserved (this cycle's active reservations);
 * maxSeconds = the largest s <= 86,400 with credits(s) <= headroom; allowed when
 * maxSeconds >= max(1, admissionMinimumSeconds) (60 by default); a reservation holds the
 * credits of min(maxSeconds, admissionReserveSeconds) (300 by default).
 */
import { describe, expect, it } from 'vitest';
import {
  admitOp,
  callLasting,
  callOp,
  eventJson,
  ledgerOn,
  limitOp,
  ms,
  previewOf,
  tenCreditsJson,
  type Json,
} from './builders.js';

const ten = (overrides: Json = {}) => tenCreditsJson({ overageLimitCredits: '0', ...overrides });

/**
 * Each admission of a scenario on plan `ten(overrides)` as [callId, allowed, maxSeconds, reason],
 * with its `at` after the call id when `withAt`.
 */
function decisions(overrides: Json, operations: Json[], withAt = false) {
  const out = previewOf(ten(overrides), operations);
  return out.admissions.map((a) =>
    withAt
      ? [a.callId, a.at, a.allowed, a.maxSeconds, a.reason]
      : [a.callId, a.allowed, a.maxSeconds, a.reason],
  );
}

const at = (time: string) => `2026-01-10T${time}Z`;

/** The effects of one admission of call "A" at 10 Jan 00:00 on a fresh ledger of plan `ten`. */
function admitOnce(overrides: Json) {
  const driver = ledgerOn({ ...ten(), ...overrides });
  const effects = driver.apply({
    type: 'admit',
    at: ms(at('00:00:00')),
    callId: 'A',
    alreadyRecorded: false,
  });
  return { driver, effects };
}

/** That one admission as [allowed, maxSeconds, reason, reserved millicredits or null]. */
function decide(overrides: Json) {
  return admitOnce(overrides).effects.flatMap((e) =>
    e.type === 'admission'
      ? [[e.decision.allowed, e.decision.maxSeconds, e.decision.reason, e.reservedMillicredits]]
      : [],
  )[0];
}

describe('admission: the cases of section 11, in order', () => {
  it('1. a call id already accepted as a call is refused, before anything else (even with no limit): call_already_recorded', () => {
    const operations = [
      callOp(at('00:05:00'), callLasting('CA1', at('00:00:00'), 60)),
      admitOp(at('01:00:00'), 'CA1'),
    ];
    expect(decisions({ overageLimitCredits: null }, operations, true)).toEqual([
      ['CA1', '2026-01-10T01:00:00.000Z', false, 0, 'call_already_recorded'],
    ]);
  });

  it('1. a rejected event does not record its call id: its admission is judged on the headroom', () => {
    const backwards = eventJson({
      callId: 'CA9',
      answeredAt: at('00:10:00'),
      endedAt: at('00:00:00'),
    });
    expect(
      decisions({}, [callOp(at('00:20:00'), backwards), admitOp(at('00:30:00'), 'CA9')]),
    ).toEqual([['CA9', true, 600, null]]);
  });

  it('2. an active reservation answers a retry with its recorded decision and this admission`s at, although a call used credits and the limit was removed since', () => {
    const operations = [
      // 10,000 of headroom: 600 s; 300 s = 5,000 mc reserved.
      admitOp(at('00:00:00'), 'CA2'),
      callOp(at('00:01:00'), callLasting('x', at('00:00:00'), 60)),
      limitOp(at('00:02:00'), null),
      {
        at: at('00:02:30'),
        type: 'changePlan',
        plan: ten({ overageLimitCredits: null }),
        effective: 'now',
      },
      admitOp(at('00:03:00'), 'CA2'),
      // No limit in effect now: a new call id is allowed without a maximum.
      admitOp(at('00:04:00'), 'CA3'),
    ];
    expect(decisions({}, operations, true)).toEqual([
      ['CA2', '2026-01-10T00:00:00.000Z', true, 600, null],
      ['CA2', '2026-01-10T00:03:00.000Z', true, 600, null],
      ['CA3', '2026-01-10T00:04:00.000Z', true, null, null],
    ]);
  });

  it('2. a retry reserves nothing and moves no expiry', () => {
    const driver = ledgerOn({ allowanceCredits: '10', overageLimitCredits: '0' });
    const admit = (time: string, callId: string) =>
      driver.apply({ type: 'admit', at: ms(at(time)), callId, alreadyRecorded: false });
    admit('00:00:00', 'CA2');
    const retry = admit('00:05:00', 'CA2');
    expect(retry).toMatchObject([{ type: 'admission', reservedMillicredits: null }]);
    // Made at 00:00 with 600 s: expires 00:00 + 600 s + 600 s = 00:20.
    expect(driver.state.reservations).toEqual([
      {
        callId: 'CA2',
        at: ms(at('00:00:00')),
        cycleIndex: 0,
        expiresAt: ms(at('00:20:00')),
        millicredits: '5000',
        maxSeconds: 600,
      },
    ]);
  });

  it('3. no limit in effect: allowed with no maximum, nothing reserved', () => {
    const { driver, effects } = admitOnce({ overageLimitCredits: null });
    expect(effects).toEqual([
      {
        type: 'admission',
        at: ms(at('00:00:00')),
        callId: 'A',
        cycleIndex: 0,
        decision: { allowed: true, maxSeconds: null, reason: null },
        reservedMillicredits: null,
      },
    ]);
    expect(driver.state.reservations).toEqual([]);
  });

  it('4. with 1,000 reservations active (in any cycle) the next is refused: too_many_reservations; a retry of an active one still gets its answer; after they expire, admissions resume', () => {
    // 1,000,000 credits: every admission may last 86,400 s and reserves 300 s = 5,000 mc.
    const driver = ledgerOn({ allowanceCredits: '1000000', overageLimitCredits: '0' });
    const t0 = ms('2026-01-31T00:00:00Z');
    const admit = (t: number, callId: string) =>
      driver
        .apply({ type: 'admit', at: t, callId, alreadyRecorded: false })
        .flatMap((e) => (e.type === 'admission' ? [e.decision] : []))[0];
    for (let i = 0; i < 1_000; i++) expect(admit(t0 + i, `C${i}`)?.allowed).toBe(true);
    // The 1,001st, in the next cycle: the count is of the account's reservations in any cycle.
    const feb = ms('2026-02-01T00:00:00Z');
    expect(admit(feb, 'C1000')).toEqual({
      allowed: false,
      maxSeconds: 0,
      reason: 'too_many_reservations',
    });
    expect(admit(feb, 'C0')).toEqual({ allowed: true, maxSeconds: 86_400, reason: null });
    // The first expires at t0 + 86,400 s + 600 s: one slot is free again.
    expect(admit(t0 + 87_000_000, 'C1000')?.allowed).toBe(true);
  });

  describe('5. headroom and maxSeconds', () => {
    it('per second: 10,000 of headroom -> 600 s, reserving 300 s = 5,000; then 5,000 -> 300 s; then 0 -> refused with 0', () => {
      expect(
        decisions({}, [
          admitOp(at('00:00:00'), 'A'),
          admitOp(at('00:00:01'), 'B'),
          admitOp(at('00:00:02'), 'C'),
        ]),
      ).toEqual([
        ['A', true, 600, null],
        ['B', true, 300, null],
        ['C', false, 0, 'limit_reached'],
      ]);
    });

    it('free seconds: nothing available, 10 free seconds -> 10 s (11 s costs ceil(11,000 / 60) = 184); refused under the 60 s admission minimum; allowed with minimum 0, reserving 0 credits', () => {
      const free = { allowanceCredits: '0', freeSeconds: 10 };
      expect(decide(free)).toEqual([false, 10, 'limit_reached', null]);
      expect(decide({ ...free, admissionMinimumSeconds: 0 })).toEqual([true, 10, null, '0']);
    });

    it('minute rounding: 2,500 of headroom -> 120 s (2,000 mc); 121 s would bill 180 s = 3,000', () => {
      const minute = { allowanceCredits: '2.5', rounding: { mode: 'minute' } };
      expect(decide(minute)).toEqual([true, 120, null, '2000']);
    });

    it('block rounding 30 s + 6 s: 950 of headroom -> 54 s (billed 54 = 900 mc); 55 s bills 60 s = 1,000', () => {
      const block = {
        allowanceCredits: '0.95',
        rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
        admissionMinimumSeconds: 30,
      };
      expect(decide(block)).toEqual([true, 54, null, '900']);
    });

    it('minimum seconds 45: 700 of headroom -> 0 s (1 s already bills 45 s = 750); 750 -> 45 s (46 s = 767)', () => {
      const minimum = { minimumSeconds: 45, admissionMinimumSeconds: 1 };
      expect(decide({ ...minimum, allowanceCredits: '0.7' })).toEqual([
        false,
        0,
        'limit_reached',
        null,
      ]);
      expect(decide({ ...minimum, allowanceCredits: '0.75' })).toEqual([true, 45, null, '750']);
    });

    it('admissionMinimumSeconds: 900 of headroom -> 54 s (55 s = 917): refused under 60 (reporting 54), allowed under 50 and reserving 54 s = 900', () => {
      expect(decide({ allowanceCredits: '0.9' })).toEqual([false, 54, 'limit_reached', null]);
      expect(decide({ allowanceCredits: '0.9', admissionMinimumSeconds: 50 })).toEqual([
        true,
        54,
        null,
        '900',
      ]);
    });

    it('admissionMinimumSeconds 0 still needs 1 s: a headroom of 0 refuses', () => {
      expect(decide({ allowanceCredits: '0', admissionMinimumSeconds: 0 })).toEqual([
        false,
        0,
        'limit_reached',
        null,
      ]);
    });

    it('a fractional rate, 0.333 credits/min: 1,000 of headroom -> 180 s (ceil(59,940 / 60) = 999); 181 s = 1,005', () => {
      // 1 credit available: 1,000 of headroom; 180 s reserved: 999 mc.
      const rate = { allowanceCredits: '1', creditsPerMinute: '0.333' };
      expect(decide(rate)).toEqual([true, 180, null, '999']);
    });

    it('a positive limit adds to the headroom: 10 credits available, limit 2.5, 3 minutes used: 9,500 -> 570 s', () => {
      expect(
        decisions({ overageLimitCredits: '2.5' }, [
          callOp(at('00:05:00'), callLasting('x', at('00:00:00'), 180)),
          admitOp(at('00:10:00'), 'A'),
        ]),
      ).toEqual([['A', true, 570, null]]);
    });

    it('at most 86,400 s, however large the headroom', () => {
      // 300 s reserved: ceil(300 * 1,000 / 60) = 5,000.
      expect(decide({ allowanceCredits: '1000000' })).toEqual([true, 86_400, null, '5000']);
    });

    it('a negative headroom (usage above the limit after a `now` downgrade) gives 0', () => {
      expect(
        decisions({}, [
          callOp(at('00:15:00'), callLasting('x', at('00:00:00'), 540)),
          {
            at: at('01:00:00'),
            type: 'changePlan',
            plan: ten({ id: 'two', allowanceCredits: '2' }),
            effective: 'now',
          },
          admitOp(at('02:00:00'), 'A'),
        ]),
      ).toEqual([['A', false, 0, 'limit_reached']]);
    });
  });
});

describe('reservations: release and expiry', () => {
  const reserve = admitOp(at('00:00:00'), 'r1'); // 600 s allowed, 5,000 mc reserved until 00:20

  it('a booked call releases its reservation: r1 books 2 minutes, so r2 sees 10,000 - 2,000 = 8,000 -> 480 s', () => {
    expect(
      decisions({}, [
        reserve,
        callOp(at('00:05:00'), callLasting('r1', at('00:01:00'), 120)),
        admitOp(at('00:06:00'), 'r2'),
      ]),
    ).toEqual([
      ['r1', true, 600, null],
      ['r2', true, 480, null],
    ]);
  });

  it('an event rejected after the edge checks (future_timestamp) releases it: r2 sees the full 10,000 -> 600 s', () => {
    const future = eventJson({ callId: 'r1', answeredAt: at('02:00:00'), endedAt: at('02:01:00') });
    expect(
      decisions({}, [reserve, callOp(at('00:01:00'), future), admitOp(at('00:02:00'), 'r2')]),
    ).toEqual([
      ['r1', true, 600, null],
      ['r2', true, 600, null],
    ]);
  });

  it.each([
    ['invalid_event', eventJson({ callId: 'r1', status: 'ringing' })],
    ['account_mismatch', eventJson({ callId: 'r1', accountId: 'other' })],
  ])(
    'an event rejected as %s releases nothing: r2 sees 10,000 - 5,000 -> 300 s',
    (_code, event) => {
      expect(
        decisions({}, [reserve, callOp(at('00:01:00'), event), admitOp(at('00:02:00'), 'r2')]),
      ).toEqual([
        ['r1', true, 600, null],
        ['r2', true, 300, null],
      ]);
    },
  );

  it('expiry at the exact instant at + maxSeconds + 600 s = 00:20: active 1 ms before, inactive at it', () => {
    const before = decisions({}, [reserve, admitOp(at('00:19:59.999'), 'r2')]);
    const atExpiry = decisions({}, [reserve, admitOp(at('00:20:00'), 'r2')]);
    expect(before[1]).toEqual(['r2', true, 300, null]);
    expect(atExpiry[1]).toEqual(['r2', true, 600, null]);
  });

  it('a retry 1 ms before the expiry gets the recorded 600 s; at the expiry it is a new admission (5 minutes used since: 300 s)', () => {
    const used = callOp(at('00:10:00'), callLasting('x', at('00:04:00'), 300));
    expect(decisions({}, [reserve, used, admitOp(at('00:19:59.999'), 'r1')])[1]).toEqual([
      'r1',
      true,
      600,
      null,
    ]);
    expect(decisions({}, [reserve, used, admitOp(at('00:20:00'), 'r1')])[1]).toEqual([
      'r1',
      true,
      300,
      null,
    ]);
  });

  it('a reservation of an earlier cycle is not counted in the new cycle`s headroom, but still answers a retry', () => {
    expect(
      decisions({}, [
        admitOp('2026-01-31T23:55:00Z', 'j1'),
        admitOp('2026-02-01T00:00:30Z', 'f1'),
        admitOp('2026-02-01T00:01:00Z', 'j1'),
      ]),
    ).toEqual([
      ['j1', true, 600, null],
      ['f1', true, 600, null],
      ['j1', true, 600, null],
    ]);
  });
});
