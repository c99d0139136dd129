import { describe, expect, it } from 'vitest';
import { toJson } from '../../billing/json.js';

describe('JSON output with bigint', () => {
  it('writes bigints as plain JSON integers, exact past 2^53: 9,007,199,254,740,993', () => {
    expect(toJson({ a: 9_007_199_254_740_993n }, 0)).toBe('{"a":9007199254740993}');
    expect(toJson(-5n, 0)).toBe('-5');
  });

  it('keeps key order and leaves out undefined properties', () => {
    expect(toJson({ z: 1, a: undefined, m: null }, 0)).toBe('{"z":1,"m":null}');
  });

  it('indents by 2 by default, like JSON.stringify(value, null, 2)', () => {
    const value = { cycles: [{ index: 0, alerts: [] }], rejected: [], duplicates: 0, o: {} };
    expect(toJson(value)).toBe(JSON.stringify(value, null, 2));
  });

  it('escapes strings like JSON.stringify', () => {
    const value = { s: 'a"b\\c\n€\u0001' };
    expect(toJson(value, 0)).toBe(JSON.stringify(value));
  });

  it('its output parses back to the same value when nothing passes 2^53', () => {
    const value = { a: [1, 'x', true, null, { b: 2n }] };
    expect(JSON.parse(toJson(value))).toEqual({ a: [1, 'x', true, null, { b: 2 }] });
  });
});
