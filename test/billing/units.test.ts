import { describe, expect, it } from 'vitest';
import {
  ceilDiv,
  ceilDivInt,
  CURRENCY_EXPONENTS,
  daysFromCivil,
  daysInMonth,
  floorDivInt,
  formatCredits,
  formatInstant,
  isCurrency,
  isLeapYear,
  maxBig,
  overageChargeMinor,
  parseCredits,
  parseInstant,
  parseLocalDateTime,
  parsePriceMicros,
  roundHalfUpDiv,
} from '../../billing/units.js';

describe('instants (RFC 3339, uppercase T and Z, seconds required)', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0],
    ['1970-01-01T00:00:00.1Z', 100],
    ['1970-01-01T00:00:00.12Z', 120],
    ['1970-01-01T00:00:00.123Z', 123],
    ['1970-01-01T01:00:00+01:00', 0],
    ['1969-12-31T19:00:00-05:00', 0],
    ['1970-01-01T05:30:00.5+05:30', 500],
    ['1970-01-01T00:00:00-00:00', 0],
    ['1970-01-01T23:59:00+23:59', 0],
    ['1969-12-31T00:01:00-23:59', 0],
  ])('%s is %i ms after the epoch', (text, expected) => {
    expect(parseInstant(text)).toBe(expected);
  });

  it('a fraction .12 means 120 ms, not 12 ms: 2026-01-01T00:00:00.12+01:00 is 2025-12-31T23:00:00.120Z', () => {
    expect(formatInstant(parseInstant('2026-01-01T00:00:00.12+01:00')!)).toBe(
      '2025-12-31T23:00:00.120Z',
    );
  });

  it('29 February exists only in leap years: 2028 and 2000 yes, 2027 and 1900 no', () => {
    expect(parseInstant('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    expect(parseInstant('2000-02-29T12:00:00Z')).toBe(Date.UTC(2000, 1, 29, 12));
    expect(parseInstant('2027-02-29T00:00:00Z')).toBeUndefined();
    expect(parseInstant('1900-02-29T00:00:00Z')).toBeUndefined();
  });

  it.each([
    ['2026-01-01T24:00:00Z', 'no 24:00'],
    ['2026-06-30T23:59:60Z', 'no leap second'],
    ['2026-01-01t00:00:00Z', 'lowercase t'],
    ['2026-01-01T00:00:00z', 'lowercase z'],
    ['2026-01-01 00:00:00Z', 'space instead of T'],
    ['2026-01-01T00:00Z', 'seconds missing'],
    ['2026-01-01T00:00:00', 'no offset'],
    ['2026-01-01T00:00:00.1234Z', 'four fraction digits'],
    ['2026-01-01T00:00:00.Z', 'empty fraction'],
    ['2026-01-01T00:00:00+0100', 'offset without colon'],
    ['2026-01-01T00:00:00+01', 'offset without minutes'],
    ['2026-01-01T00:00:00+24:00', 'offset hours 24'],
    ['2026-01-01T00:00:00+05:60', 'offset minutes 60'],
    ['2026-13-01T00:00:00Z', 'month 13'],
    ['2026-04-31T00:00:00Z', '31 April'],
    ['2026-01-00T00:00:00Z', 'day 0'],
    ['2026-01-01T00:60:00Z', 'minute 60'],
    ['26-01-01T00:00:00Z', 'two-digit year'],
    ['2026-1-01T00:00:00Z', 'one-digit month'],
    [' 2026-01-01T00:00:00Z', 'leading space'],
    ['2026-01-01T00:00:00Z ', 'trailing space'],
    ['２０２６-01-01T00:00:00Z', 'non-ASCII digits'],
    ['', 'empty'],
  ])('%j is refused (%s)', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it('formats instants as UTC with milliseconds: 1,772,265,600,000 ms is 2026-02-28T08:00:00.000Z', () => {
    expect(formatInstant(Date.UTC(2026, 1, 28, 8))).toBe('2026-02-28T08:00:00.000Z');
    expect(formatInstant(0)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('years 0000 and 9999 round-trip in the output format', () => {
    expect(formatInstant(parseInstant('0000-01-01T00:00:00Z')!)).toBe('0000-01-01T00:00:00.000Z');
    expect(formatInstant(parseInstant('9999-12-31T23:59:59.999Z')!)).toBe(
      '9999-12-31T23:59:59.999Z',
    );
  });
});

describe('local date-times (the billing anchor)', () => {
  it('2026-01-31T09:00:00 is 31 Jan 2026 09:00:00.000 with no zone', () => {
    expect(parseLocalDateTime('2026-01-31T09:00:00')).toEqual({
      year: 2026,
      month: 1,
      day: 31,
      hour: 9,
      minute: 0,
      second: 0,
      millisecond: 0,
    });
  });

  it.each([
    '2026-01-31T09:00:00Z',
    '2026-01-31T09:00:00+01:00',
    '2026-01-31T09:00:00.000',
    '2026-01-31T09:00',
    '2026-02-29T09:00:00',
    '2026-01-31T24:00:00',
    '2026-01-31t09:00:00',
  ])('%j is not a local date-time', (text) => {
    expect(parseLocalDateTime(text)).toBeUndefined();
  });
});

describe('calendar arithmetic', () => {
  it('leap years: 2028 and 2000 are, 2026 and 2100 are not', () => {
    expect([2028, 2000, 2026, 2100].map(isLeapYear)).toEqual([true, true, false, false]);
  });

  it('month lengths: Feb 2028 = 29, Feb 2026 = 28, Feb 2100 = 28, Apr = 30, Dec = 31', () => {
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });

  it('days from civil: 1970-01-01 = 0, 1969-12-31 = -1, 2000-03-01 = 11,017, 0000-01-01 = -719,528', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    expect(daysFromCivil(2000, 3, 1)).toBe(11_017);
    expect(daysFromCivil(0, 1, 1)).toBe(-719_528);
  });

  it('floor division rounds toward minus infinity: floor(-1 / 12) = -1, floor(25 / 12) = 2', () => {
    expect(floorDivInt(-1, 12)).toBe(-1);
    expect(floorDivInt(-12, 12)).toBe(-1);
    expect(floorDivInt(25, 12)).toBe(2);
  });
});

describe('credit amounts ("12.5" credits = 12,500 millicredits)', () => {
  it.each([
    ['12.5', 12_500n],
    ['0', 0n],
    ['0.001', 1n],
    ['1.23', 1_230n],
    ['1000', 1_000_000n],
    ['000000000001', 1_000n],
    ['999999999999.999', 999_999_999_999_999n],
  ])('%j is %i millicredits', (text, expected) => {
    expect(parseCredits(text)).toBe(expected);
  });

  it.each([
    ['0000000000001', '13 integer digits, leading zeros counted'],
    ['1000000000000', '13 integer digits'],
    ['1.2345', 'four decimals'],
    ['-1', 'a sign'],
    ['+1', 'a plus sign'],
    ['1e3', 'an exponent'],
    [' 1', 'a leading space'],
    ['1 ', 'a trailing space'],
    ['1.', 'a bare point'],
    ['.5', 'no integer digit'],
    ['1,5', 'a comma'],
    ['', 'empty'],
    [12, 'a JSON number'],
    [12.5, 'a JSON number with decimals'],
    [null, 'null'],
    [undefined, 'absent'],
    [true, 'a boolean'],
  ])('%j is refused (%s)', (value, _reason: string) => {
    expect(parseCredits(value)).toBeUndefined();
  });

  it('formats millicredits for people: 12,500 -> "12.5", 1 -> "0.001", 1,000 -> "1", -1,500 -> "-1.5"', () => {
    expect(formatCredits(12_500n)).toBe('12.5');
    expect(formatCredits(1n)).toBe('0.001');
    expect(formatCredits(1_000n)).toBe('1');
    expect(formatCredits(-1_500n)).toBe('-1.5');
  });
});

describe('prices ("0.12" major units = 120,000 micro-units)', () => {
  it.each([
    ['0.12', 120_000n],
    ['0.000001', 1n],
    ['5', 5_000_000n],
    ['999999999999.999999', 999_999_999_999_999_999n],
  ])('%j is %i micro-units', (text, expected) => {
    expect(parsePriceMicros(text)).toBe(expected);
  });

  it.each([
    ['0.1234567', 'seven decimals'],
    ['1234567890123', '13 integer digits'],
    ['-0.12', 'a sign'],
    ['1.2e-1', 'an exponent'],
    [' 0.12', 'a space'],
    [0.12, 'a JSON number'],
  ])('%j is refused (%s)', (value, _reason: string) => {
    expect(parsePriceMicros(value)).toBeUndefined();
  });
});

describe('currencies', () => {
  it('the 17 two-decimal currencies have exponent 2, JPY and KRW exponent 0', () => {
    const two = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN'];
    two.push('INR', 'SGD', 'HKD', 'MXN', 'BRL', 'ZAR');
    expect(Object.keys(CURRENCY_EXPONENTS).sort()).toEqual([...two, 'JPY', 'KRW'].sort());
    for (const code of two)
      expect(CURRENCY_EXPONENTS[code as keyof typeof CURRENCY_EXPONENTS]).toBe(2);
    expect(CURRENCY_EXPONENTS.JPY).toBe(0);
    expect(CURRENCY_EXPONENTS.KRW).toBe(0);
  });

  it('unknown, lowercase and inherited names are not currencies', () => {
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XXX')).toBe(false);
    expect(isCurrency('toString')).toBe(false);
    expect(isCurrency(840)).toBe(false);
  });
});

describe('exact integer helpers', () => {
  it('ceil of ms to seconds: 0 -> 0, 1 -> 1, 1,000 -> 1, 1,001 -> 2', () => {
    expect([0, 1, 1_000, 1_001].map((a) => ceilDivInt(a, 1_000))).toEqual([0, 1, 1, 2]);
  });

  it('bigint ceil: ceil(61,000 / 60) = 1,017; ceil(60,000 / 60) = 1,000; ceil(0 / 60) = 0', () => {
    expect(ceilDiv(61_000n, 60n)).toBe(1_017n);
    expect(ceilDiv(60_000n, 60n)).toBe(1_000n);
    expect(ceilDiv(0n, 60n)).toBe(0n);
  });

  it('round half up: 0.4 -> 0, 0.5 -> 1, 1.5 -> 2, 2.5 -> 3 (never to even)', () => {
    expect(roundHalfUpDiv(4n, 10n)).toBe(0n);
    expect(roundHalfUpDiv(5n, 10n)).toBe(1n);
    expect(roundHalfUpDiv(15n, 10n)).toBe(2n);
    expect(roundHalfUpDiv(25n, 10n)).toBe(3n);
  });

  it('maxBig picks the larger bigint', () => {
    expect(maxBig(0n, -5n)).toBe(0n);
    expect(maxBig(3n, 7n)).toBe(7n);
  });
});

describe('overage charge = roundHalfUp(overage * price * 10^exponent / 10^9)', () => {
  it('USD: 1 credit (1,000 mc) over at $0.12 is 12 cents', () => {
    expect(overageChargeMinor(1_000n, 120_000n, 'USD')).toBe(12n);
  });

  it('USD: 12.5 credits over at $0.01 is 12.5 cents, rounded half up to 13', () => {
    expect(overageChargeMinor(12_500n, 10_000n, 'USD')).toBe(13n);
  });

  it('USD: 1 mc over at $5 is exactly half a cent -> 1 cent; at $4.999999 it is 0.4999999 -> 0', () => {
    expect(overageChargeMinor(1n, 5_000_000n, 'USD')).toBe(1n);
    expect(overageChargeMinor(1n, 4_999_999n, 'USD')).toBe(0n);
  });

  it('JPY: 12.5 credits over at ¥1 is ¥12.5 -> ¥13; 12.499 credits is ¥12.499 -> ¥12', () => {
    expect(overageChargeMinor(12_500n, 1_000_000n, 'JPY')).toBe(13n);
    expect(overageChargeMinor(12_499n, 1_000_000n, 'JPY')).toBe(12n);
  });

  it('KRW has no minor unit either: 1.5 credits over at ₩1 is ₩1.5 -> ₩2', () => {
    expect(overageChargeMinor(1_500n, 1_000_000n, 'KRW')).toBe(2n);
  });

  it('no overage charges nothing', () => {
    expect(overageChargeMinor(0n, 120_000n, 'USD')).toBe(0n);
  });

  it('past 2^53 it stays exact: (2^53 + 1) credits over at ¥1 is ¥9,007,199,254,740,993', () => {
    expect(overageChargeMinor(9_007_199_254_740_993_000n, 1_000_000n, 'JPY')).toBe(
      9_007_199_254_740_993n,
    );
  });

  it('largest price times a huge overage: 10^15 mc at $999,999,999,999.999999 is 99,999,999,999,999,999,900,000,000 cents', () => {
    expect(overageChargeMinor(10n ** 15n, 999_999_999_999_999_999n, 'USD')).toBe(
      99_999_999_999_999_999_900_000_000n,
    );
  });
});
