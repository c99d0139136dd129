import { describe, expect, it } from 'vitest';
import { InvalidPlanError, parsePlan, upgradePlan } from '../../billing/plan.js';
import { planJson } from './builders.js';

function refused(overrides: Record<string, unknown>): string {
  try {
    parsePlan(planJson(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPlanError);
    return (error as Error).message;
  }
  throw new Error('plan was accepted');
}

function without(field: string): Record<string, unknown> {
  const json = planJson();
  delete json[field];
  return json;
}

describe('plan: required fields and defaults', () => {
  it('the minimal plan gets second rounding, minimum 0, free 0, outbound not billed, no thresholds, name = id', () => {
    expect(parsePlan(planJson())).toEqual({
      id: 'growth',
      name: 'growth',
      allowanceMillicredits: '1000000',
      creditsPerMinuteMillicredits: '1000',
      rounding: { mode: 'second' },
      minimumSeconds: 0,
      freeSeconds: 0,
      billOutbound: false,
      overagePriceMicros: '120000',
      currency: 'USD',
      alertThresholdsPercent: [],
      purchasePriceMicros: null,
      overageLimitMillicredits: null,
      admissionMinimumSeconds: 60,
      admissionReserveSeconds: 300,
    });
  });

  it('the spec example plan: 1,000 credits = 1,000,000 mc, $0.12 = 120,000 micro-units', () => {
    const p = parsePlan({
      id: 'growth',
      name: 'Growth',
      allowanceCredits: '1000',
      creditsPerMinute: '1',
      rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 },
      minimumSeconds: 0,
      freeSeconds: 0,
      billOutbound: false,
      overagePricePerCredit: '0.12',
      currency: 'USD',
      alertThresholdsPercent: [50, 80, 100],
    });
    expect(p.name).toBe('Growth');
    expect(p.allowanceMillicredits).toBe('1000000');
    expect(p.overagePriceMicros).toBe('120000');
    expect(p.rounding).toEqual({ mode: 'block', firstBlockSeconds: 30, blockSeconds: 6 });
  });

  it.each(['id', 'allowanceCredits', 'creditsPerMinute', 'overagePricePerCredit', 'currency'])(
    'a plan without %s is refused',
    (field) => {
      expect(() => parsePlan(without(field))).toThrow(InvalidPlanError);
    },
  );

  it('allowance and rate may both be "0"', () => {
    const p = parsePlan(planJson({ allowanceCredits: '0', creditsPerMinute: '0' }));
    expect(p.allowanceMillicredits).toBe('0');
    expect(p.creditsPerMinuteMillicredits).toBe('0');
  });

  it('a fractional rate "0.333" credits/min is 333 mc/min', () => {
    expect(parsePlan(planJson({ creditsPerMinute: '0.333' })).creditsPerMinuteMillicredits).toBe(
      '333',
    );
  });

  it('amounts at the 12-digit limit stay exact past 2^53: "999999999999.999999" = 999,999,999,999,999,999 micro-units', () => {
    const p = parsePlan(
      planJson({
        allowanceCredits: '999999999999.999',
        overagePricePerCredit: '999999999999.999999',
      }),
    );
    expect(p.allowanceMillicredits).toBe('999999999999999');
    expect(p.overagePriceMicros).toBe('999999999999999999');
  });

  it('the error names the field: plan.currency', () => {
    expect(refused({ currency: 'XYZ' })).toMatch(/^plan\.currency: /);
  });
});

describe('plan: refused values', () => {
  it.each([
    [{ id: '' }, 'an empty id'],
    [{ id: 7 }, 'a numeric id'],
    [{ allowanceCredits: 1000 }, 'a JSON number for credits'],
    [{ allowanceCredits: '-1' }, 'a negative allowance'],
    [{ allowanceCredits: '1000000000000' }, '13 integer digits'],
    [{ creditsPerMinute: '0.0001' }, 'four decimals of credits'],
    [{ overagePricePerCredit: 0.12 }, 'a JSON number for the price'],
    [{ overagePricePerCredit: '0.1234567' }, 'seven decimals of price'],
    [{ currency: 'usd' }, 'a lowercase currency'],
    [{ currency: 'XXX' }, 'an unknown currency'],
    [{ name: null }, 'a null name'],
    [{ name: 5 }, 'a numeric name'],
    [{ rounding: null }, 'null rounding'],
    [{ rounding: { mode: 'hour' } }, 'an unknown rounding mode'],
    [{ rounding: { mode: 'block', blockSeconds: 6 } }, 'block without firstBlockSeconds'],
    [{ rounding: { mode: 'block', firstBlockSeconds: 30 } }, 'block without blockSeconds'],
    [
      { rounding: { mode: 'block', firstBlockSeconds: -1, blockSeconds: 6 } },
      'firstBlockSeconds < 0',
    ],
    [{ rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 0 } }, 'blockSeconds < 1'],
    [
      { rounding: { mode: 'block', firstBlockSeconds: 86_401, blockSeconds: 6 } },
      'first block > 86,400',
    ],
    [
      { rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 86_401 } },
      'block > 86,400',
    ],
    [
      { rounding: { mode: 'block', firstBlockSeconds: 30, blockSeconds: 6.5 } },
      'a fractional block',
    ],
    [{ minimumSeconds: 86_401 }, 'minimum > 86,400'],
    [{ minimumSeconds: null }, 'a null minimum'],
    [{ minimumSeconds: '30' }, 'a string minimum'],
    [{ freeSeconds: -1 }, 'negative free seconds'],
    [{ freeSeconds: 86_401 }, 'free > 86,400'],
    [{ freeSeconds: null }, 'null free seconds'],
    [{ billOutbound: 'true' }, 'a string flag'],
    [{ billOutbound: null }, 'a null flag'],
    [{ alertThresholdsPercent: [0] }, 'a 0% threshold'],
    [{ alertThresholdsPercent: [1_001] }, 'a threshold over 1,000'],
    [{ alertThresholdsPercent: [50, 50] }, 'a repeated threshold'],
    [{ alertThresholdsPercent: [50.5] }, 'a fractional threshold'],
    [{ alertThresholdsPercent: ['50'] }, 'a string threshold'],
    [{ alertThresholdsPercent: null }, 'null thresholds'],
  ])('%j is refused (%s)', (overrides, _reason: string) => {
    expect(() => parsePlan(planJson(overrides))).toThrow(InvalidPlanError);
  });

  it('bounds are inclusive: minimum 86,400, free 86,400, block 86,400/86,400, thresholds 1 and 1,000 are accepted', () => {
    const p = parsePlan(
      planJson({
        minimumSeconds: 86_400,
        freeSeconds: 86_400,
        rounding: { mode: 'block', firstBlockSeconds: 86_400, blockSeconds: 86_400 },
        alertThresholdsPercent: [1, 1_000],
      }),
    );
    expect(p.minimumSeconds).toBe(86_400);
    expect(p.alertThresholdsPercent).toEqual([1, 1_000]);
  });

  it('integer fields accept an integral JSON number written 30.0', () => {
    expect(
      parsePlan(
        JSON.parse(
          '{"id":"p","allowanceCredits":"1","creditsPerMinute":"1","overagePricePerCredit":"1","currency":"EUR","minimumSeconds":30.0}',
        ),
      ).minimumSeconds,
    ).toBe(30);
  });
});

describe('plan: alert thresholds', () => {
  it('any order is accepted and kept sorted: [100, 50, 80, 150] -> [50, 80, 100, 150]', () => {
    expect(
      parsePlan(planJson({ alertThresholdsPercent: [100, 50, 80, 150] })).alertThresholdsPercent,
    ).toEqual([50, 80, 100, 150]);
  });

  it('thresholds above 100 are allowed (up to 1,000)', () => {
    expect(
      parsePlan(planJson({ alertThresholdsPercent: [200, 1_000] })).alertThresholdsPercent,
    ).toEqual([200, 1_000]);
  });
});

describe('plan: version 2 fields (section 2)', () => {
  it('a purchase price and an overage limit are kept as micro-units and millicredits', () => {
    expect(
      parsePlan(
        planJson({
          purchasePricePerCredit: '0.05',
          overageLimitCredits: '12.5',
          admissionMinimumSeconds: 0,
          admissionReserveSeconds: 86_400,
        }),
      ),
    ).toMatchObject({
      purchasePriceMicros: '50000',
      overageLimitMillicredits: '12500',
      admissionMinimumSeconds: 0,
      admissionReserveSeconds: 86_400,
    });
  });

  it('null means absent for the purchase price and the limit (no price, no limit)', () => {
    expect(
      parsePlan(planJson({ purchasePricePerCredit: null, overageLimitCredits: null })),
    ).toMatchObject({ purchasePriceMicros: null, overageLimitMillicredits: null });
  });

  it('"0" is a limit (a hard stop at the available credits), not its absence', () => {
    expect(parsePlan(planJson({ overageLimitCredits: '0' })).overageLimitMillicredits).toBe('0');
  });

  it.each([
    [{ purchasePricePerCredit: 0.05 }],
    [{ purchasePricePerCredit: '-0.05' }],
    [{ overageLimitCredits: 5 }],
    [{ overageLimitCredits: '1.0001' }],
    [{ admissionMinimumSeconds: 86_401 }],
    [{ admissionMinimumSeconds: null }],
    [{ admissionReserveSeconds: 1.5 }],
    [{ admissionReserveSeconds: '300' }],
  ])('%j is refused', (overrides) => {
    expect(refused(overrides)).toMatch(/^plan\./);
  });

  it('a plan stored before version 2 (without the fields) upgrades to their defaults', () => {
    const current = parsePlan(planJson());
    const {
      purchasePriceMicros: _price,
      overageLimitMillicredits: _limit,
      admissionMinimumSeconds: _minimum,
      admissionReserveSeconds: _reserve,
      ...stored
    } = current;
    expect(upgradePlan(stored)).toEqual(current);
  });
});
