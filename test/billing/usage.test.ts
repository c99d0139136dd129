import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, openCycleUsage, usageStatus } from '../../billing/usage.js';
import { account, call, callLasting, LedgerDriver, ms, plan } from './builders.js';

describe('usageStatus', () => {
  it('is ok below 80%, low from 80%, overage from 100%', () => {
    expect(usageStatus(799n, 1000n)).toBe('ok');
    expect(usageStatus(800n, 1000n)).toBe('low');
    expect(usageStatus(999n, 1000n)).toBe('low');
    expect(usageStatus(1000n, 1000n)).toBe('overage');
    expect(usageStatus(5000n, 1000n)).toBe('overage');
  });

  it('compares exactly, without rounding the percent', () => {
    // 79.99...% is not 80%: 7999 * 100 < 80 * 10000.
    expect(usageStatus(7_999n, 10_000n)).toBe('ok');
    expect(usageStatus(2n, 3n)).toBe('ok');
    expect(usageStatus(3n, 3n)).toBe('overage');
  });

  it('with nothing available is ok until something is used, then overage', () => {
    expect(usageStatus(0n, 0n)).toBe('ok');
    expect(usageStatus(1n, 0n)).toBe('overage');
  });
});

describe('calendarDaysBetween', () => {
  it('counts calendar dates in the zone, not 24-hour periods', () => {
    // 23:30 to 00:30 the next day is one calendar day in UTC.
    expect(calendarDaysBetween(ms('2026-03-01T23:30:00Z'), ms('2026-03-02T00:30:00Z'), 'UTC')).toBe(
      1,
    );
    // The same instants in Tokyo (UTC+9) fall on the same date: 08:30 and 09:30 on 2 March.
    expect(
      calendarDaysBetween(ms('2026-03-01T23:30:00Z'), ms('2026-03-02T00:30:00Z'), 'Asia/Tokyo'),
    ).toBe(0);
  });

  it('is unaffected by a DST change in between', () => {
    // Europe/Berlin springs forward on 29 March 2026: 28 to 30 March is still two dates.
    expect(
      calendarDaysBetween(
        ms('2026-03-28T12:00:00+01:00'),
        ms('2026-03-30T00:30:00+02:00'),
        'Europe/Berlin',
      ),
    ).toBe(2);
  });
});

describe('openCycleUsage', () => {
  it('reports the open cycle with remaining, floor percent and days until reset', () => {
    const ledger = new LedgerDriver(account(), plan({ allowanceCredits: '3' }));
    ledger.apply({
      type: 'bookCall',
      at: ms('2026-01-10T12:00:00Z'),
      call: call(callLasting('c1', '2026-01-10T11:00:00Z', 100)),
    });
    const usage = openCycleUsage(ledger.state);
    expect(usage).toMatchObject({
      index: 0,
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-02-01T00:00:00.000Z',
      allowanceMillicredits: '3000',
      usedMillicredits: '1667',
      remainingMillicredits: '1333',
      overageMillicredits: '0',
      // 1667 * 100 / 3000 = 55.56: floor.
      percentUsed: 55,
      billableSeconds: 100,
      daysUntilReset: 22,
    });
  });

  it('gives a null percent when nothing is available and never a negative remaining', () => {
    const ledger = new LedgerDriver(account(), plan({ allowanceCredits: '0' }));
    ledger.apply({
      type: 'bookCall',
      at: ms('2026-01-10T12:00:00Z'),
      call: call({ answeredAt: '2026-01-10T11:00:00Z', endedAt: '2026-01-10T11:01:00Z' }),
    });
    expect(openCycleUsage(ledger.state)).toMatchObject({
      percentUsed: null,
      usedMillicredits: '1000',
      remainingMillicredits: '0',
      overageMillicredits: '1000',
    });
  });

  it('prices the overage so far: 1,050 minutes on 1,000 credits at USD 0.12 is 50 credits, USD 6.00 = 600 cents', () => {
    const ledger = new LedgerDriver();
    ledger.book('2026-01-11T10:00:00Z', callLasting('CA1', '2026-01-10T10:00:00Z', 1_050 * 60));
    expect(openCycleUsage(ledger.state)).toMatchObject({
      overageMillicredits: '50000',
      currency: 'USD',
      overagePriceMicros: '120000',
      overageChargeMinor: '600',
    });
  });

  it('rounds the charge so far as the close does: 3 credits at JPY 0.5 is 1.5 yen, half up to 2', () => {
    const jpy = plan({ allowanceCredits: '1', currency: 'JPY', overagePricePerCredit: '0.5' });
    const ledger = new LedgerDriver(account(), jpy);
    ledger.book('2026-01-10T12:00:00Z', callLasting('CA1', '2026-01-10T11:00:00Z', 240));
    expect(openCycleUsage(ledger.state)).toMatchObject({
      overageMillicredits: '3000',
      currency: 'JPY',
      overagePriceMicros: '500000',
      overageChargeMinor: '2',
    });
    ledger.advance('2026-02-01T01:00:00Z');
    expect(ledger.closed()[0]!.overageChargeMinor).toBe('2');
  });

  it('charges 0 so far without overage, in the currency of the plan in effect', () => {
    expect(openCycleUsage(new LedgerDriver().state)).toMatchObject({
      currency: 'USD',
      overageChargeMinor: '0',
    });
  });
});
