/**
 * The cycle ledger through its API (createLedger / applyOperation). Unless a test says otherwise:
 * account "acme" in UTC created 2026-01-01T00:00:00Z, boundaries on the 1st at 00:00, grace
 * 3,600 s; plan "growth": 1,000 credits, 1 credit/min, per-second rounding, $0.12/credit.
 * Cycles: #0 [1 Jan, 1 Feb), #1 [1 Feb, 1 Mar) (28 days = 2,419,200,000 ms), #2 [1 Mar, 1 Apr).
 */
import { describe, expect, it } from 'vitest';
import {
  availableOf,
  createLedger,
  currentPlan,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_MAX_LATE_SECONDS,
  LedgerError,
  nextCloseAt,
  nextEventAt,
  openCycle,
  planAt,
  resolvePlanChangeTiming,
  type CycleState,
} from '../../billing/ledger.js';
import { account, callLasting, eventJson, iso, LedgerDriver, ms, plan } from './builders.js';

/** A cycle's purchases as version 1 listed them: id and credits, in the order added. */
const bought = (cycle: CycleState) =>
  cycle.additions.map((a) => ({ purchaseId: a.id, millicredits: a.millicredits }));

/** A small plan so percentages are easy: 10 credits = 10,000 mc, 1 credit/min. */
const ten = (overrides: Record<string, unknown> = {}) =>
  plan({ id: 'ten', allowanceCredits: '10', ...overrides });

describe('defaults', () => {
  it('grace is 3,600 s and maxLateSeconds 35 days = 3,024,000 s', () => {
    expect(DEFAULT_GRACE_SECONDS).toBe(3_600);
    expect(DEFAULT_MAX_LATE_SECONDS).toBe(3_024_000);
  });
});

describe('opening a ledger', () => {
  it('a full first cycle gets the whole allowance: 1,000 credits = 1,000,000 mc', () => {
    const { state, effects } = createLedger(account(), plan());
    expect(openCycle(state)).toMatchObject({
      index: 0,
      start: ms('2026-01-01T00:00:00Z'),
      end: ms('2026-02-01T00:00:00Z'),
      allowanceMillicredits: '1000000',
      additions: [],
      usedMillicredits: '0',
    });
    expect(effects).toEqual([
      {
        type: 'cycleStarted',
        at: ms('2026-01-01T00:00:00Z'),
        cycleIndex: 0,
        start: ms('2026-01-01T00:00:00Z'),
        end: ms('2026-02-01T00:00:00Z'),
      },
    ]);
    expect(currentPlan(state).id).toBe('growth');
  });

  it('partial first cycle: created 15 Jan 12:00Z gets 1,000,000 * 1,425,600,000 / 2,678,400,000 = 532,258.06 -> 532,258 mc', () => {
    const { state } = createLedger(account({ createdAt: ms('2026-01-15T12:00:00Z') }), plan());
    expect(openCycle(state).allowanceMillicredits).toBe('532258');
  });

  it('partial first cycle of 1 ms: 999,999,999,999,999 mc * 1 / 2,678,400,000 = 373,357.23 -> 373,357 mc', () => {
    const settings = account({ createdAt: ms('2026-01-31T23:59:59.999Z') });
    const { state } = createLedger(settings, plan({ allowanceCredits: '999999999999.999' }));
    expect(openCycle(state).allowanceMillicredits).toBe('373357');
  });

  it('partial first cycle across DST in Berlin: created 15 Mar 00:00Z, cycle 28 Feb 23:00Z..31 Mar 22:00Z (2,674,800,000 ms): 1,000,000 * 1,461,600,000 / 2,674,800,000 -> 546,433 mc', () => {
    const settings = account({
      timeZone: 'Europe/Berlin',
      createdAt: ms('2026-03-15T00:00:00Z'),
      billingAnchor: '2026-01-01T00:00:00',
    });
    const { state } = createLedger(settings, plan());
    expect(openCycle(state)).toMatchObject({
      start: ms('2026-03-15T00:00:00Z'),
      end: ms('2026-03-31T22:00:00Z'),
      fullStart: ms('2026-02-28T23:00:00Z'),
      allowanceMillicredits: '546433',
    });
  });

  it('the second cycle after a partial one gets the full allowance again', () => {
    const driver = new LedgerDriver(account({ createdAt: ms('2026-01-15T12:00:00Z') }));
    driver.advance('2026-02-01T00:00:00Z');
    expect(driver.cycle(1).allowanceMillicredits).toBe('1000000');
  });
});

describe('cycle boundaries and closes', () => {
  it('a new cycle starts at its boundary before an operation at the same instant', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-02-01T00:00:00Z', 'p1', '100');
    expect(bought(driver.cycle(0))).toEqual([]);
    expect(bought(driver.cycle(1))).toEqual([{ purchaseId: 'p1', millicredits: '100000' }]);
  });

  it('a call answered exactly at the boundary is booked to the new cycle', () => {
    const driver = new LedgerDriver();
    driver.book('2026-02-01T00:05:00Z', callLasting('CA1', '2026-02-01T00:00:00Z', 60));
    expect(driver.cycle(1).usedMillicredits).toBe('1000');
    expect(driver.cycle(0).usedMillicredits).toBe('0');
  });

  it('a call answered 1 ms before the boundary is booked to the old cycle', () => {
    const driver = new LedgerDriver();
    driver.book('2026-02-01T00:05:00Z', callLasting('CA1', '2026-01-31T23:59:59.999Z', 60));
    expect(driver.cycle(0).usedMillicredits).toBe('1000');
  });

  it('a cycle closes at end + grace (1 Feb 01:00Z), not 1 ms before', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-02-01T00:59:59.999Z');
    expect(driver.closed()).toEqual([]);
    expect(driver.state.cycles.map((c) => c.index)).toEqual([0, 1]);
    const effects = driver.advance('2026-02-01T01:00:00Z');
    expect(effects).toEqual([
      expect.objectContaining({ type: 'cycleClosed', at: ms('2026-02-01T01:00:00Z') }),
    ]);
    expect(driver.state.cycles.map((c) => c.index)).toEqual([1]);
  });

  it('the close statement of an unused cycle: 1,000,000 mc available, nothing used, charge 0', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-02-01T01:00:00Z');
    expect(driver.closed()).toEqual([
      {
        index: 0,
        start: ms('2026-01-01T00:00:00Z'),
        end: ms('2026-02-01T00:00:00Z'),
        closed: true,
        planId: 'growth',
        currency: 'USD',
        overagePriceMicros: '120000',
        allowanceMillicredits: '1000000',
        purchasedMillicredits: '0',
        availableMillicredits: '1000000',
        usedMillicredits: '0',
        billableSeconds: 0,
        lateAdjustments: 0,
        overageMillicredits: '0',
        overageChargeMinor: '0',
        alerts: [],
      },
    ]);
  });

  it('advancing months at once starts and closes every cycle in order: start #1, close #0, start #2, close #1, start #3', () => {
    const driver = new LedgerDriver();
    const effects = driver.advance('2026-03-15T00:00:00Z');
    expect(effects.map((e) => `${e.type}@${iso(e.at)}`)).toEqual([
      'cycleStarted@2026-02-01T00:00:00.000Z',
      'cycleClosed@2026-02-01T01:00:00.000Z',
      'cycleStarted@2026-03-01T00:00:00.000Z',
      'cycleClosed@2026-03-01T01:00:00.000Z',
    ]);
  });

  it('grace 0: the old cycle closes at the boundary itself, right after the new one starts', () => {
    const driver = new LedgerDriver(account({ graceSeconds: 0 }));
    const effects = driver.advance('2026-02-01T00:00:00Z');
    expect(effects.map((e) => e.type)).toEqual(['cycleStarted', 'cycleClosed']);
  });

  it('operations must not go back in time', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-01-10T00:00:00Z');
    expect(() => driver.advance('2026-01-09T23:59:59.999Z')).toThrow(LedgerError);
  });

  it('an operation at the same instant as the previous one is fine', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-01-10T00:00:00Z');
    expect(() => driver.advance('2026-01-10T00:00:00Z')).not.toThrow();
  });
});

describe('when the next close and the next event are due', () => {
  it('only the open cycle #0: no close is due, the next event is its end, 1 Feb 00:00Z', () => {
    const driver = new LedgerDriver();
    expect(nextCloseAt(driver.state)).toBe(Number.POSITIVE_INFINITY);
    expect(iso(nextEventAt(driver.state))).toBe('2026-02-01T00:00:00.000Z');
  });

  it('#0 in grace: it closes at 1 Feb 00:00Z + 3,600 s = 01:00Z, before the next boundary (1 Mar)', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-02-01T00:30:00Z');
    expect(iso(nextCloseAt(driver.state))).toBe('2026-02-01T01:00:00.000Z');
    expect(iso(nextEventAt(driver.state))).toBe('2026-02-01T01:00:00.000Z');
  });

  it('once #0 closed, no close is due until #1 ends: the next event is 1 Mar 00:00Z', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-02-01T01:00:00Z');
    expect(nextCloseAt(driver.state)).toBe(Number.POSITIVE_INFINITY);
    expect(iso(nextEventAt(driver.state))).toBe('2026-03-01T00:00:00.000Z');
  });

  it('grace 7 days (604,800 s): #0 closes at 8 Feb 00:00Z', () => {
    const driver = new LedgerDriver(account({ graceSeconds: 604_800 }));
    driver.advance('2026-02-01T00:00:00Z');
    expect(iso(nextEventAt(driver.state))).toBe('2026-02-08T00:00:00.000Z');
  });

  it('advancing to the next event is what moves the ledger: the close at 01:00Z, nothing 1 ms before', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-02-01T00:30:00Z');
    const due = nextEventAt(driver.state);
    expect(driver.apply({ type: 'advance', at: due - 1 })).toEqual([]);
    expect(driver.apply({ type: 'advance', at: due }).map((e) => e.type)).toEqual(['cycleClosed']);
  });
});

describe('booking calls, grace and late adjustments', () => {
  it('booked to the cycle of its answer: 60 s at 1 credit/min = 1,000 mc and 60 billable seconds', () => {
    const driver = new LedgerDriver();
    const effects = driver.book(
      '2026-01-10T00:05:00Z',
      callLasting('CA1', '2026-01-10T00:00:00Z', 60),
    );
    expect(effects).toEqual([
      {
        type: 'callBooked',
        at: ms('2026-01-10T00:05:00Z'),
        callId: 'CA1',
        cycleIndex: 0,
        late: false,
        bookedAt: ms('2026-01-10T00:00:00Z'),
        billedSeconds: 60,
        millicredits: '1000',
        writtenOffMillicredits: '0',
      },
    ]);
    expect(driver.cycle(0)).toMatchObject({
      usedMillicredits: '1000',
      billableSeconds: 60,
      lateAdjustments: 0,
    });
  });

  it('a call from 31 Jan 23:59 arriving 1 Feb 00:59:59.999 (just before end + grace) is booked to January, not late', () => {
    const driver = new LedgerDriver();
    const effects = driver.book(
      '2026-02-01T00:59:59.999Z',
      callLasting('CA1', '2026-01-31T23:59:00Z', 60),
    );
    expect(effects.map((e) => e.type)).toEqual(['cycleStarted', 'callBooked']);
    expect(effects[1]).toMatchObject({ cycleIndex: 0, late: false });
    driver.advance('2026-02-01T01:00:00Z');
    expect(driver.closed()[0]).toMatchObject({ usedMillicredits: '1000', lateAdjustments: 0 });
    expect(driver.cycle(1).usedMillicredits).toBe('0');
  });

  it('the same call arriving at 1 Feb 01:00:00.000 (= end + grace) is a late adjustment in February', () => {
    const driver = new LedgerDriver();
    const effects = driver.book(
      '2026-02-01T01:00:00Z',
      callLasting('CA1', '2026-01-31T23:59:00Z', 60),
    );
    expect(effects.map((e) => e.type)).toEqual(['cycleStarted', 'cycleClosed', 'callBooked']);
    expect(effects[2]).toMatchObject({
      cycleIndex: 1,
      late: true,
      bookedAt: ms('2026-01-31T23:59:00Z'),
    });
    expect(driver.closed()[0]).toMatchObject({ usedMillicredits: '0', lateAdjustments: 0 });
    expect(driver.cycle(1)).toMatchObject({
      usedMillicredits: '1000',
      billableSeconds: 60,
      lateAdjustments: 1,
    });
  });

  it('a late call answered two cycles back (20 Jan, arriving 20 Feb) lands in the cycle of its arrival', () => {
    const driver = new LedgerDriver();
    driver.book('2026-02-20T00:00:00Z', callLasting('CA1', '2026-01-20T00:00:00Z', 120));
    expect(driver.cycle(1)).toMatchObject({ usedMillicredits: '2000', lateAdjustments: 1 });
  });

  it('lateAdjustments counts only late calls with billed seconds > 0: a late no-answer call and a late 5 s free call count 0', () => {
    const driver = new LedgerDriver(account(), plan({ freeSeconds: 10 }));
    const noAnswer = eventJson({
      callId: 'CA1',
      status: 'no-answer',
      answeredAt: null,
      endedAt: '2026-01-31T23:00:00Z',
    });
    const [, , booked] = driver.book('2026-02-01T02:00:00Z', noAnswer);
    expect(booked).toMatchObject({ type: 'callBooked', late: true, billedSeconds: 0 });
    driver.book('2026-02-01T02:00:00Z', callLasting('CA2', '2026-01-31T23:00:00Z', 5));
    driver.book('2026-02-01T02:00:00Z', callLasting('CA3', '2026-01-31T23:00:00Z', 11));
    expect(driver.cycle(1)).toMatchObject({
      lateAdjustments: 1,
      usedMillicredits: '184',
      billableSeconds: 11,
    });
  });

  it('calls answered in the new cycle count there at once while the old one is in grace', () => {
    const driver = new LedgerDriver();
    driver.book('2026-02-01T00:20:00Z', callLasting('CA1', '2026-02-01T00:10:00Z', 60));
    expect(driver.state.cycles.map((c) => c.index)).toEqual([0, 1]);
    expect(driver.cycle(1)).toMatchObject({ usedMillicredits: '1000', lateAdjustments: 0 });
  });

  it('grace 7 days: a January call arriving 7 Feb 23:59:59.999 still books to January', () => {
    const driver = new LedgerDriver(account({ graceSeconds: 604_800 }));
    driver.book('2026-02-07T23:59:59.999Z', callLasting('CA1', '2026-01-31T12:00:00Z', 60));
    expect(driver.cycle(0).usedMillicredits).toBe('1000');
    driver.book('2026-02-08T00:00:00Z', callLasting('CA2', '2026-01-31T12:00:00Z', 60));
    expect(driver.cycle(1)).toMatchObject({ usedMillicredits: '1000', lateAdjustments: 1 });
  });

  it('grace 0: a call arriving exactly at the boundary for the old cycle is late', () => {
    const driver = new LedgerDriver(account({ graceSeconds: 0 }));
    const effects = driver.book(
      '2026-02-01T00:00:00Z',
      callLasting('CA1', '2026-01-31T23:58:00Z', 60),
    );
    expect(effects.at(-1)).toMatchObject({ type: 'callBooked', cycleIndex: 1, late: true });
  });

  it('a sender clock running ahead: answered 10:00:00 but arrived 09:58:00 books at the arrival', () => {
    const driver = new LedgerDriver();
    const [booked] = driver.book(
      '2026-01-10T09:58:00Z',
      callLasting('CA1', '2026-01-10T10:00:00Z', 60),
    );
    expect(booked).toMatchObject({ bookedAt: ms('2026-01-10T09:58:00Z'), cycleIndex: 0 });
  });

  it('clock ahead across the boundary: answered 1 Feb 00:02 but arriving 31 Jan 23:59:00 books to January', () => {
    const driver = new LedgerDriver();
    driver.book('2026-01-31T23:59:00Z', callLasting('CA1', '2026-02-01T00:02:00Z', 60));
    expect(driver.cycle(0).usedMillicredits).toBe('1000');
  });

  it('a late call is rated with the plan in effect at its booking instant, not at its arrival', () => {
    const driver = new LedgerDriver();
    driver.changePlan(
      '2026-02-01T00:30:00Z',
      plan({ id: 'double', allowanceCredits: '2000', creditsPerMinute: '2' }),
      'now',
    );
    driver.book('2026-02-01T02:00:00Z', callLasting('CA1', '2026-01-31T23:00:00Z', 60));
    driver.book('2026-02-01T02:00:00Z', callLasting('CA2', '2026-02-01T00:40:00Z', 60));
    expect(driver.cycle(1)).toMatchObject({ usedMillicredits: '3000', lateAdjustments: 1 });
  });
});

describe('purchases', () => {
  it('a one-time purchase of 100 credits on 10 Jan adds 100,000 mc to January only', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'p1', '100');
    expect(availableOf(driver.cycle(0))).toBe(1_100_000n);
    driver.advance('2026-02-01T01:00:00Z');
    expect(driver.closed()[0]).toMatchObject({
      purchasedMillicredits: '100000',
      availableMillicredits: '1100000',
    });
    expect(bought(driver.cycle(1))).toEqual([]);
    expect(availableOf(driver.cycle(1))).toBe(1_000_000n);
  });

  it('a fractional purchase "12.5" adds 12,500 mc', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'p1', '12.5');
    expect(bought(driver.cycle(0))).toEqual([{ purchaseId: 'p1', millicredits: '12500' }]);
  });

  it('a recurring purchase of 50 credits on 10 Jan is granted in January and again at the start of February and March', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'r1', '50', true);
    driver.advance('2026-03-01T00:00:00Z');
    expect(bought(driver.cycle(1))).toEqual([{ purchaseId: 'r1', millicredits: '50000' }]);
    expect(bought(driver.cycle(2))).toEqual([{ purchaseId: 'r1', millicredits: '50000' }]);
    expect(driver.closed()[0]).toMatchObject({ purchasedMillicredits: '50000' });
  });

  it("cancelling on 15 Feb keeps February's grant and stops March's", () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'r1', '50', true);
    driver.cancel('2026-02-15T00:00:00Z', 'r1');
    expect(bought(driver.cycle(1))).toEqual([{ purchaseId: 'r1', millicredits: '50000' }]);
    driver.advance('2026-03-01T00:00:00Z');
    expect(bought(driver.cycle(2))).toEqual([]);
  });

  it('cancelling exactly at the 1 Mar boundary: March was already granted (the cycle starts first); April is not', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'r1', '50', true);
    driver.cancel('2026-03-01T00:00:00Z', 'r1');
    expect(bought(driver.cycle(2))).toEqual([{ purchaseId: 'r1', millicredits: '50000' }]);
    driver.advance('2026-04-01T00:00:00Z');
    expect(bought(driver.cycle(3))).toEqual([]);
  });

  it('a recurring purchase bought at a boundary instant starts in the new cycle', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-02-01T00:00:00Z', 'r1', '50', true);
    expect(bought(driver.cycle(0))).toEqual([]);
    expect(bought(driver.cycle(1))).toHaveLength(1);
  });

  it('purchases are listed in the order bought: recurring r1, r2 first at each cycle start, then one-time buys', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-05T00:00:00Z', 'r1', '10', true);
    driver.purchase('2026-01-06T00:00:00Z', 'r2', '20', true);
    driver.purchase('2026-02-03T00:00:00Z', 'o1', '5');
    expect(bought(driver.cycle(1)).map((g) => g.purchaseId)).toEqual(['r1', 'r2', 'o1']);
    expect(availableOf(driver.cycle(1))).toBe(1_035_000n);
  });

  it('a closed cycle carries its purchases out of the ledger: p1 (100 credits) and r1 (50) for January, r1 again for February', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'p1', '100');
    driver.purchase('2026-01-20T00:00:00Z', 'r1', '50', true);
    // One advance closes January and February, which starts and closes within it.
    const closes = driver.advance('2026-03-01T01:00:00Z').filter((e) => e.type === 'cycleClosed');
    expect(closes).toMatchObject([
      {
        statement: { index: 0, purchasedMillicredits: '150000' },
        cycle: {
          additions: [
            { source: 'purchase', id: 'p1', millicredits: '100000' },
            { source: 'purchase', id: 'r1', millicredits: '50000' },
          ],
        },
      },
      {
        statement: { index: 1, purchasedMillicredits: '50000' },
        cycle: { additions: [{ source: 'purchase', id: 'r1', millicredits: '50000' }] },
      },
    ]);
  });

  it('cancelling a one-time purchase has no effect', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'p1', '100');
    driver.cancel('2026-01-11T00:00:00Z', 'p1');
    expect(availableOf(driver.cycle(0))).toBe(1_100_000n);
  });

  it('cancelling an unknown id, or one already cancelled, has no effect', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'r1', '50', true);
    driver.cancel('2026-01-11T00:00:00Z', 'nope');
    driver.advance('2026-02-01T00:00:00Z');
    expect(bought(driver.cycle(1))).toHaveLength(1);
    driver.cancel('2026-02-02T00:00:00Z', 'r1');
    driver.cancel('2026-02-03T00:00:00Z', 'r1');
    expect(bought(driver.cycle(1))).toHaveLength(1);
  });

  it('nothing carries over: January with 1,000 credits unused and 100 purchased unused gives February exactly 1,000 + its recurring 50', () => {
    const driver = new LedgerDriver();
    driver.purchase('2026-01-10T00:00:00Z', 'p1', '100');
    driver.purchase('2026-01-10T00:00:00Z', 'r1', '50', true);
    driver.advance('2026-02-01T00:00:00Z');
    expect(availableOf(driver.cycle(1))).toBe(1_050_000n);
    expect(driver.cycle(1).usedMillicredits).toBe('0');
  });
});

describe('plan changes', () => {
  const big = plan({ id: 'big', allowanceCredits: '3000', creditsPerMinute: '2' });
  const small = plan({ id: 'small', allowanceCredits: '400' });

  it('upgrade now on 10 Feb 07:00Z, 1,000 -> 3,000 credits: +trunc(2,000,000 * 1,616,400,000 / 2,419,200,000) = +1,336,309 -> 2,336,309 mc', () => {
    const driver = new LedgerDriver();
    driver.advance('2026-02-01T00:00:00Z');
    const effects = driver.changePlan('2026-02-10T07:00:00Z', big, 'now');
    expect(effects.filter((e) => e.type === 'planChanged')).toEqual([
      {
        type: 'planChanged',
        at: ms('2026-02-10T07:00:00Z'),
        planId: 'big',
        effectiveFrom: ms('2026-02-10T07:00:00Z'),
      },
    ]);
    expect(driver.cycle(1).allowanceMillicredits).toBe('2336309');
    expect(currentPlan(driver.state).id).toBe('big');
  });

  it('calls answered at or after the change use the new plan (2 credits/min), earlier ones the old', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-10T07:00:00Z', big, 'now');
    driver.book('2026-02-10T08:00:00Z', callLasting('CA1', '2026-02-10T06:59:59.999Z', 60));
    expect(driver.cycle(1).usedMillicredits).toBe('1000');
    driver.book('2026-02-10T08:00:00Z', callLasting('CA2', '2026-02-10T07:00:00Z', 60));
    expect(driver.cycle(1).usedMillicredits).toBe('3000');
  });

  it('downgrade now on 10 Feb 07:00Z, 1,000 -> 400 credits: trunc(-600,000 * 1,616,400,000 / 2,419,200,000) = trunc(-400,892.86) = -400,892 (toward zero) -> 599,108 mc', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-10T07:00:00Z', small, 'now');
    expect(driver.cycle(1).allowanceMillicredits).toBe('599108');
  });

  it('an upgrade at the very start of a cycle adds the whole difference: 1,000 -> 3,000 at 1 Feb 00:00 gives 3,000,000 mc', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-01T00:00:00Z', big, 'now');
    expect(driver.cycle(1).allowanceMillicredits).toBe('3000000');
  });

  it('in a partial first cycle the proration is over the full cycle: created 15 Jan 12:00, upgrade at creation adds 2,000,000 * 16.5/31 -> 1,064,516', () => {
    const driver = new LedgerDriver(account({ createdAt: ms('2026-01-15T12:00:00Z') }));
    driver.changePlan('2026-01-15T12:00:00Z', big, 'now');
    // 532,258 (prorated 1,000) + trunc(2,000,000 * 1,425,600,000 / 2,678,400,000 = 1,064,516.13)
    expect(driver.cycle(0).allowanceMillicredits).toBe(String(532_258 + 1_064_516));
  });

  it('the allowance never goes below 0: 0.001 -> 0.003 -> 0 credits at 90% of April left: 0 + 1 - 2 = -1 -> 0', () => {
    // April 2026 is 30 days; created 4 Apr 00:00Z leaves 27/30 = 0.9 of it.
    const driver = new LedgerDriver(
      account({ createdAt: ms('2026-04-04T00:00:00Z') }),
      plan({ allowanceCredits: '0.001' }),
    );
    expect(driver.cycle(0).allowanceMillicredits).toBe('0'); // trunc(1 * 0.9)
    driver.changePlan(
      '2026-04-04T00:00:00Z',
      plan({ id: 'three', allowanceCredits: '0.003' }),
      'now',
    );
    expect(driver.cycle(0).allowanceMillicredits).toBe('1'); // + trunc(2 * 0.9)
    driver.changePlan('2026-04-04T00:00:00Z', plan({ id: 'zero', allowanceCredits: '0' }), 'now');
    expect(driver.cycle(0).allowanceMillicredits).toBe('0'); // max(0, 1 + trunc(-3 * 0.9) = -1)
  });

  it('downgrade without `effective` waits for the next cycle: February keeps 1,000 credits and plan growth; March gets 400', () => {
    const driver = new LedgerDriver();
    const effects = driver.changePlan('2026-02-10T00:00:00Z', small);
    expect(effects.filter((e) => e.type === 'planChanged')).toEqual([
      {
        type: 'planChanged',
        at: ms('2026-02-10T00:00:00Z'),
        planId: 'small',
        effectiveFrom: 'next-cycle',
      },
    ]);
    expect(driver.cycle(1).allowanceMillicredits).toBe('1000000');
    expect(currentPlan(driver.state).id).toBe('growth');
    driver.advance('2026-03-01T01:00:00Z');
    expect(driver.closed().at(-1)).toMatchObject({ index: 1, planId: 'growth' });
    expect(driver.cycle(2).allowanceMillicredits).toBe('400000');
    expect(planAt(driver.state, ms('2026-03-01T00:00:00Z')).id).toBe('small');
    expect(planAt(driver.state, ms('2026-02-28T23:59:59.999Z')).id).toBe('growth');
  });

  it('absent `effective`: higher allowance -> now, equal or lower -> next-cycle', () => {
    expect(resolvePlanChangeTiming(plan(), big, null)).toBe('now');
    expect(resolvePlanChangeTiming(plan(), plan({ id: 'same' }), null)).toBe('next-cycle');
    expect(resolvePlanChangeTiming(plan(), small, null)).toBe('next-cycle');
    expect(resolvePlanChangeTiming(plan(), small, 'now')).toBe('now');
    expect(resolvePlanChangeTiming(plan(), big, 'next-cycle')).toBe('next-cycle');
  });

  it('an explicit next-cycle upgrade waits: February keeps 1,000,000 mc, March gets 3,000,000', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-10T00:00:00Z', big, 'next-cycle');
    expect(driver.cycle(1).allowanceMillicredits).toBe('1000000');
    driver.advance('2026-03-01T00:00:00Z');
    expect(driver.cycle(2).allowanceMillicredits).toBe('3000000');
  });

  it('an absent `effective` compares with the plan in effect, not a pending one: growth (1,000) with pending big (3,000), then 2,000 -> now', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-10T00:00:00Z', big, 'next-cycle');
    const mid = plan({ id: 'mid', allowanceCredits: '2000' });
    const effects = driver.changePlan('2026-02-15T00:00:00Z', mid);
    expect(effects.find((e) => e.type === 'planChanged')).toMatchObject({
      effectiveFrom: ms('2026-02-15T00:00:00Z'),
    });
    // 1,000,000 + trunc(1,000,000 * 14 days / 28 days) = 1,500,000
    expect(driver.cycle(1).allowanceMillicredits).toBe('1500000');
  });

  it('a pending next-cycle change is replaced by a later next-cycle one', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-10T00:00:00Z', big, 'next-cycle');
    driver.changePlan('2026-02-11T00:00:00Z', small, 'next-cycle');
    driver.advance('2026-03-01T00:00:00Z');
    expect(currentPlan(driver.state).id).toBe('small');
    expect(driver.cycle(2).allowanceMillicredits).toBe('400000');
  });

  it('a pending next-cycle change is replaced by a later now change, and does not come back at the boundary', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-10T00:00:00Z', small, 'next-cycle');
    driver.changePlan('2026-02-15T00:00:00Z', big, 'now');
    driver.advance('2026-03-01T00:00:00Z');
    expect(currentPlan(driver.state).id).toBe('big');
    expect(driver.cycle(2).allowanceMillicredits).toBe('3000000');
  });

  it("the plan in effect at the last instant (28 Feb 23:59:59.999) sets February's planId, price and currency", () => {
    const driver = new LedgerDriver();
    const yen = plan({
      id: 'yen',
      allowanceCredits: '1000',
      currency: 'JPY',
      overagePricePerCredit: '15',
    });
    driver.changePlan('2026-02-28T23:59:59.999Z', yen, 'now');
    driver.advance('2026-03-01T01:00:00Z');
    expect(driver.closed().at(-1)).toMatchObject({
      index: 1,
      planId: 'yen',
      currency: 'JPY',
      overagePriceMicros: '15000000',
    });
  });

  it('a change effective at the boundary belongs to the next cycle: February is billed on growth', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-20T00:00:00Z', small, 'next-cycle');
    driver.advance('2026-03-01T01:00:00Z');
    expect(driver.closed().at(-1)).toMatchObject({ index: 1, planId: 'growth', currency: 'USD' });
  });

  it('a now change during grace does not touch the cycle in grace, whose plan stays growth', () => {
    const driver = new LedgerDriver();
    driver.changePlan('2026-02-01T00:30:00Z', big, 'now');
    expect(driver.cycle(0).allowanceMillicredits).toBe('1000000');
    driver.advance('2026-02-01T01:00:00Z');
    expect(driver.closed()[0]).toMatchObject({ planId: 'growth' });
  });
});

describe('overage at close', () => {
  /** A plan of 10 credits at `price` in `currency`; a 630 s call uses 10,500 mc = 500 mc over. */
  function closeWithOverage(currency: string, price: string, seconds = 630) {
    const driver = new LedgerDriver(account(), ten({ currency, overagePricePerCredit: price }));
    driver.book('2026-01-10T00:20:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', seconds));
    driver.advance('2026-02-01T01:00:00Z');
    return driver.closed()[0]!;
  }

  it('USD at $0.12: 500 mc over = 0.5 credit * 12 cents = 6 cents', () => {
    expect(closeWithOverage('USD', '0.12')).toMatchObject({
      usedMillicredits: '10500',
      availableMillicredits: '10000',
      overageMillicredits: '500',
      overageChargeMinor: '6',
    });
  });

  it('USD at $0.01: 500 mc over = exactly half a cent -> rounds half up to 1 cent', () => {
    expect(closeWithOverage('USD', '0.01').overageChargeMinor).toBe('1');
  });

  it('USD at $0.009999: 500 mc over = 0.49995 cent -> 0 cents', () => {
    expect(closeWithOverage('USD', '0.009999').overageChargeMinor).toBe('0');
  });

  it('JPY at ¥1: 500 mc over = ¥0.5 -> rounds half up to ¥1', () => {
    expect(closeWithOverage('JPY', '1')).toMatchObject({
      overageMillicredits: '500',
      overageChargeMinor: '1',
    });
  });

  it('JPY at ¥15: a 1,230 s call (20,500 mc) is 10,500 mc over = ¥157.5 -> ¥158', () => {
    expect(closeWithOverage('JPY', '15', 1_230)).toMatchObject({
      overageMillicredits: '10500',
      overageChargeMinor: '158',
    });
  });

  it('usage exactly equal to what is available is no overage: charge 0', () => {
    expect(closeWithOverage('USD', '0.12', 600)).toMatchObject({
      overageMillicredits: '0',
      overageChargeMinor: '0',
    });
  });

  it('purchases are counted before overage: 10 credits + 1 bought, 630 s used -> no overage', () => {
    const driver = new LedgerDriver(account(), ten());
    driver.purchase('2026-01-05T00:00:00Z', 'p1', '1');
    driver.book('2026-01-10T00:20:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 630));
    driver.advance('2026-02-01T01:00:00Z');
    expect(driver.closed()[0]).toMatchObject({
      availableMillicredits: '11000',
      overageMillicredits: '0',
    });
  });

  it('the charge is made once: advancing further never closes January again', () => {
    const driver = new LedgerDriver(account(), ten());
    driver.book('2026-01-10T00:20:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 630));
    driver.advance('2026-02-01T01:00:00Z');
    driver.advance('2026-04-01T01:00:00Z');
    expect(driver.closed().filter((s) => s.index === 0)).toHaveLength(1);
  });

  it('beyond 2^53: a 24 h call at 999,999,999,999.999 credits/min = 1,439,999,999,999,998,560 mc over; at $0.12 = 17,279,999,999,999,982.72 -> 17,279,999,999,999,983 cents', () => {
    const p = plan({ allowanceCredits: '0', creditsPerMinute: '999999999999.999' });
    const driver = new LedgerDriver(account(), p);
    driver.book('2026-01-11T00:00:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 86_400));
    driver.advance('2026-02-01T01:00:00Z');
    expect(driver.closed()[0]).toMatchObject({
      usedMillicredits: '1439999999999998560',
      overageMillicredits: '1439999999999998560',
      overageChargeMinor: '17279999999999983',
    });
  });

  it('two huge calls add exactly: 2 * 1,439,999,999,999,998,560 = 2,879,999,999,999,997,120 mc', () => {
    const p = plan({ allowanceCredits: '0', creditsPerMinute: '999999999999.999' });
    const driver = new LedgerDriver(account(), p);
    driver.book('2026-01-11T00:00:00Z', callLasting('CA1', '2026-01-10T00:00:00Z', 86_400));
    driver.book('2026-01-12T00:00:00Z', callLasting('CA2', '2026-01-11T00:00:00Z', 86_400));
    expect(driver.cycle(0).usedMillicredits).toBe('2879999999999997120');
  });
});

describe('alerts', () => {
  const thresholds = (list: number[], overrides: Record<string, unknown> = {}) =>
    ten({ alertThresholdsPercent: list, ...overrides });

  /** Books a call of `seconds` (1 credit/min: 60 s = 1,000 mc) answered 10 min before `arrival`. */
  function use(driver: LedgerDriver, callId: string, arrival: string, seconds: number) {
    const answeredAt = iso(ms(arrival) - 600_000);
    return driver.book(arrival, callLasting(callId, answeredAt, seconds));
  }

  it('50% fires at exactly 5,000 of 10,000 mc (5,000 * 100 >= 50 * 10,000); 299 s = 4,984 mc does not', () => {
    const below = new LedgerDriver(account(), thresholds([50]));
    use(below, 'CA1', '2026-01-10T00:00:00Z', 299);
    expect(below.cycle(0).usedMillicredits).toBe('4984');
    expect(below.alerts()).toEqual([]);
    const exact = new LedgerDriver(account(), thresholds([50]));
    use(exact, 'CA1', '2026-01-11T00:00:00Z', 300);
    expect(exact.alerts()).toEqual([
      { cycleIndex: 0, thresholdPercent: 50, at: '2026-01-11T00:00:00.000Z' },
    ]);
  });

  it('100% does not fire at 599 s = 9,984 of 10,000 mc', () => {
    const driver = new LedgerDriver(account(), thresholds([100]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 599);
    expect(driver.alerts()).toEqual([]);
  });

  it('a threshold at exactly 100%: a 600 s call uses exactly the 10,000 mc available and fires 100', () => {
    const driver = new LedgerDriver(account(), thresholds([100]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 600);
    expect(driver.cycle(0).usedMillicredits).toBe('10000');
    expect(driver.alerts().map((a) => a.thresholdPercent)).toEqual([100]);
  });

  it('fires at most once while armed: 50% does not fire again on the next call', () => {
    const driver = new LedgerDriver(account(), thresholds([50]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 360);
    use(driver, 'CA2', '2026-01-11T00:00:00Z', 60);
    expect(driver.alerts()).toHaveLength(1);
  });

  it('alerts caused by one change are listed by ascending threshold, all with its `at`: a 900 s call crosses 50 and 80', () => {
    const driver = new LedgerDriver(account(), thresholds([80, 50, 100]));
    const effects = use(driver, 'CA1', '2026-01-10T12:00:00Z', 900);
    expect(effects.filter((e) => e.type === 'alert')).toEqual([
      {
        type: 'alert',
        at: ms('2026-01-10T12:00:00Z'),
        cycleIndex: 0,
        thresholdPercent: 50,
        usedMillicredits: '15000',
        availableMillicredits: '10000',
      },
      {
        type: 'alert',
        at: ms('2026-01-10T12:00:00Z'),
        cycleIndex: 0,
        thresholdPercent: 80,
        usedMillicredits: '15000',
        availableMillicredits: '10000',
      },
      {
        type: 'alert',
        at: ms('2026-01-10T12:00:00Z'),
        cycleIndex: 0,
        thresholdPercent: 100,
        usedMillicredits: '15000',
        availableMillicredits: '10000',
      },
    ]);
    expect(driver.cycle(0).alerts).toEqual([
      { thresholdPercent: 50, at: ms('2026-01-10T12:00:00Z') },
      { thresholdPercent: 80, at: ms('2026-01-10T12:00:00Z') },
      { thresholdPercent: 100, at: ms('2026-01-10T12:00:00Z') },
    ]);
  });

  it('thresholds above 100: 150% does not fire at 14,984 of 10,000 mc, fires at 15,001', () => {
    const driver = new LedgerDriver(account(), thresholds([150]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 899); // ceil(899,000 / 60) = 14,984 mc
    expect(driver.alerts()).toEqual([]);
    use(driver, 'CA2', '2026-01-11T00:00:00Z', 1); // + ceil(1,000 / 60) = 17 -> 15,001
    expect(driver.alerts().map((a) => a.thresholdPercent)).toEqual([150]);
  });

  it('re-arm after a purchase: 80 fired at 8,000/10,000; buying 10 credits (8,000/20,000 = 40%) re-arms it; 16,000/20,000 fires it again', () => {
    const driver = new LedgerDriver(account(), thresholds([80]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 480);
    expect(driver.alerts()).toHaveLength(1);
    const bought = driver.purchase('2026-01-12T00:00:00Z', 'p1', '10');
    expect(bought.filter((e) => e.type === 'alert')).toEqual([]);
    expect(driver.cycle(0).disarmedPercents).toEqual([]);
    use(driver, 'CA2', '2026-01-15T00:00:00Z', 480);
    expect(driver.alerts()).toEqual([
      { cycleIndex: 0, thresholdPercent: 80, at: '2026-01-10T00:00:00.000Z' },
      { cycleIndex: 0, thresholdPercent: 80, at: '2026-01-15T00:00:00.000Z' },
    ]);
  });

  it('a purchase that leaves usage at or above the threshold does not re-arm it: 100 fired at 12,000/10,000, +2 credits = 12,000/12,000', () => {
    const driver = new LedgerDriver(account(), thresholds([100]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 720);
    driver.purchase('2026-01-12T00:00:00Z', 'p1', '2');
    expect(driver.cycle(0).disarmedPercents).toEqual([100]);
    expect(driver.alerts()).toHaveLength(1);
  });

  it('re-arm after an upgrade now: 80 fired at 8,000/10,000; upgrading at the cycle start of February to 20 credits re-arms it', () => {
    const driver = new LedgerDriver(account(), thresholds([80]));
    use(driver, 'CA1', '2026-02-01T00:20:00Z', 480);
    expect(driver.alerts()).toEqual([
      { cycleIndex: 1, thresholdPercent: 80, at: '2026-02-01T00:20:00.000Z' },
    ]);
    // +trunc(10,000 * (28 d - 1 h) / 28 d) = +9,985 -> 19,985 mc available
    driver.changePlan(
      '2026-02-01T01:00:00Z',
      thresholds([80], { id: 'twenty', allowanceCredits: '20' }),
      'now',
    );
    expect(driver.cycle(1).allowanceMillicredits).toBe('19985');
    expect(driver.cycle(1).disarmedPercents).toEqual([]);
    use(driver, 'CA2', '2026-02-02T00:00:00Z', 480); // 16,000 * 100 >= 80 * 19,985 = 1,598,800
    expect(driver.alerts().map((a) => a.at)).toEqual([
      '2026-02-01T00:20:00.000Z',
      '2026-02-02T00:00:00.000Z',
    ]);
  });

  it("a plan change fires alerts of the new plan at the change's `at` (a downgrade now shrinking the allowance)", () => {
    const driver = new LedgerDriver(account(), thresholds([90]));
    use(driver, 'CA1', '2026-01-01T01:00:00Z', 480); // 8,000 of 10,000
    const effects = driver.changePlan(
      '2026-01-01T02:00:00Z',
      thresholds([50, 90], { id: 'five', allowanceCredits: '5' }),
      'now',
    );
    // 10,000 + trunc(-5,000 * (31 d - 2 h) / 31 d) = 10,000 - 4,986 = 5,014; 8,000/5,014 crosses 50 and 90
    expect(driver.cycle(0).allowanceMillicredits).toBe('5014');
    expect(
      effects
        .filter((e) => e.type === 'alert')
        .map((e) => [e.type === 'alert' && e.thresholdPercent, iso(e.at)]),
    ).toEqual([
      [50, '2026-01-01T02:00:00.000Z'],
      [90, '2026-01-01T02:00:00.000Z'],
    ]);
  });

  it('armed state is kept per percent across a plan change: 50 fired on plan A stays fired on plan B that also has 50', () => {
    const driver = new LedgerDriver(account(), thresholds([50]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 360); // 6,000 of 10,000: 50 fires
    driver.changePlan('2026-01-11T00:00:00Z', thresholds([50, 60], { id: 'b' }), 'now'); // same allowance
    expect(driver.alerts().map((a) => a.thresholdPercent)).toEqual([50, 60]);
  });

  it('a fired percent re-arms even while the plan in effect does not list it, and fires again when a plan with it returns', () => {
    const driver = new LedgerDriver(account(), thresholds([50]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 360); // 6,000/10,000 = 60%: 50 fires
    driver.changePlan('2026-01-11T00:00:00Z', thresholds([], { id: 'none' }), 'now');
    expect(driver.cycle(0).disarmedPercents).toEqual([50]); // still 60%: stays fired
    driver.purchase('2026-01-12T00:00:00Z', 'p1', '10'); // 6,000/20,000 = 30% < 50%: re-arms
    expect(driver.cycle(0).disarmedPercents).toEqual([]);
    use(driver, 'CA2', '2026-01-13T00:00:00Z', 360); // 12,000/20,000 = 60%, plan lists no 50
    expect(driver.alerts()).toHaveLength(1);
    const back = driver.changePlan('2026-01-14T00:00:00Z', thresholds([50], { id: 'a2' }), 'now');
    expect(back.filter((e) => e.type === 'alert').map((e) => e.type === 'alert' && e.at)).toEqual([
      Date.parse('2026-01-14T00:00:00Z'),
    ]);
    expect(driver.alerts().map((a) => a.thresholdPercent)).toEqual([50, 50]);
  });

  it('no alerts when nothing is available (allowance 0, no purchases), however much is used', () => {
    const driver = new LedgerDriver(account(), thresholds([1, 100], { allowanceCredits: '0' }));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 600);
    expect(driver.alerts()).toEqual([]);
  });

  it('a purchase into an exhausted zero-allowance cycle makes alerts possible: 10,000 used, 5 bought -> 200% of 5,000 fires 1 and 100', () => {
    const driver = new LedgerDriver(account(), thresholds([1, 100], { allowanceCredits: '0' }));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 600);
    const effects = driver.purchase('2026-01-11T00:00:00Z', 'p1', '5');
    expect(
      effects
        .filter((e) => e.type === 'alert')
        .map((e) => e.type === 'alert' && e.thresholdPercent),
    ).toEqual([1, 100]);
  });

  it('a booking into the cycle in grace never fires: January at 40%, a January call arriving 1 Feb 00:30 takes it to 90%', () => {
    const driver = new LedgerDriver(account(), thresholds([50, 80]));
    use(driver, 'CA1', '2026-01-20T00:00:00Z', 240); // 4,000 mc
    const effects = driver.book(
      '2026-02-01T00:30:00Z',
      callLasting('CA2', '2026-01-31T23:00:00Z', 300),
    );
    expect(driver.cycle(0).usedMillicredits).toBe('9000');
    expect(effects.filter((e) => e.type === 'alert')).toEqual([]);
    driver.advance('2026-02-01T01:00:00Z');
    expect(driver.closed()[0]!.alerts).toEqual([]);
  });

  it('a late adjustment booked into the open cycle counts toward its alerts', () => {
    const driver = new LedgerDriver(account(), thresholds([50]));
    const effects = driver.book(
      '2026-02-01T01:00:00Z',
      callLasting('CA1', '2026-01-31T23:00:00Z', 300),
    );
    expect(effects.filter((e) => e.type === 'alert')).toEqual([
      expect.objectContaining({
        cycleIndex: 1,
        thresholdPercent: 50,
        at: ms('2026-02-01T01:00:00Z'),
      }),
    ]);
  });

  it('a late call prices with the plan at its answer but alerts with the thresholds in effect at its arrival', () => {
    const driver = new LedgerDriver(account(), thresholds([50]));
    // Same allowance, so the change's proration adds 0; plan b alerts at 90% only.
    driver.changePlan(
      '2026-02-01T00:30:00Z',
      thresholds([90], { id: 'b', creditsPerMinute: '3' }),
      'now',
    );
    const effects = driver.book(
      '2026-02-01T02:00:00Z',
      callLasting('CA1', '2026-01-31T23:00:00Z', 360),
    );
    expect(driver.cycle(1)).toMatchObject({ usedMillicredits: '6000', lateAdjustments: 1 }); // 1 credit/min
    expect(effects.filter((e) => e.type === 'alert')).toEqual([]); // 60%: b has no 50%
  });

  it('every cycle starts with all thresholds armed: 50 fires in January and again in February', () => {
    const driver = new LedgerDriver(account(), thresholds([50]));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 360);
    use(driver, 'CA2', '2026-02-10T00:00:00Z', 360);
    expect(driver.alerts()).toEqual([
      { cycleIndex: 0, thresholdPercent: 50, at: '2026-01-10T00:00:00.000Z' },
      { cycleIndex: 1, thresholdPercent: 50, at: '2026-02-10T00:00:00.000Z' },
    ]);
  });

  it('nothing fires at a cycle start (nothing used yet), even with a 1% threshold', () => {
    const driver = new LedgerDriver(account(), thresholds([1]));
    const effects = driver.advance('2026-04-01T00:00:00Z');
    expect(effects.filter((e) => e.type === 'alert')).toEqual([]);
  });

  it('a 0 mc call (free) fires nothing and changes no state', () => {
    const driver = new LedgerDriver(account(), thresholds([50], { freeSeconds: 600 }));
    use(driver, 'CA1', '2026-01-10T00:00:00Z', 600);
    expect(driver.alerts()).toEqual([]);
    expect(driver.cycle(0).usedMillicredits).toBe('0');
  });
});
