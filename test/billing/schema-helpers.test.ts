import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  creditsString,
  describeIssues,
  instantString,
  intIn,
  LIMITS,
  priceString,
  secondsField,
} from '../../billing/schema-helpers.js';

describe('bounds of section 1', () => {
  it('seconds fields <= 86,400; grace <= 604,800 (7 days); maxLate <= 31,622,400 (366 days); thresholds <= 1,000', () => {
    expect(LIMITS).toEqual({
      maxSecondsField: 86_400,
      maxGraceSeconds: 604_800,
      maxLateSeconds: 31_622_400,
      maxThresholdPercent: 1_000,
    });
    expect(86_400).toBe(24 * 3600);
    expect(604_800).toBe(7 * 86_400);
    expect(31_622_400).toBe(366 * 86_400);
  });
});

describe('JSON integer fields', () => {
  it('accept 5 and 5.0 (an integral JSON number) and 0 to 86,400 inclusive', () => {
    expect(secondsField.parse(JSON.parse('5.0'))).toBe(5);
    expect(secondsField.parse(5)).toBe(5);
    expect(secondsField.parse(0)).toBe(0);
    expect(secondsField.parse(86_400)).toBe(86_400);
  });

  it.each([
    [86_401, 'one over the bound'],
    [-1, 'negative'],
    [5.5, 'not integral'],
    ['5', 'a string'],
    [true, 'a boolean'],
    [null, 'null'],
  ])('refuse %j (%s)', (value, _reason: string) => {
    expect(secondsField.safeParse(value).success).toBe(false);
  });

  it('intIn(1, 1000) takes 1 and 1,000 and refuses 0 and 1,001', () => {
    const field = intIn(1, 1_000);
    expect(field.safeParse(1).success).toBe(true);
    expect(field.safeParse(1_000).success).toBe(true);
    expect(field.safeParse(0).success).toBe(false);
    expect(field.safeParse(1_001).success).toBe(false);
  });
});

describe('string fields', () => {
  it('an instant string becomes epoch ms: 2026-01-01T01:00:00+01:00 -> 1,767,225,600,000', () => {
    expect(instantString.parse('2026-01-01T01:00:00+01:00')).toBe(Date.UTC(2026, 0, 1));
    expect(instantString.safeParse('2026-01-01T01:00:00').success).toBe(false);
    expect(instantString.safeParse(1_767_225_600_000).success).toBe(false);
  });

  it('a credit amount "12.5" becomes the decimal string "12500" (millicredits); the number 12.5 is refused', () => {
    expect(creditsString.parse('12.5')).toBe('12500');
    expect(creditsString.safeParse(12.5).success).toBe(false);
  });

  it('a price "0.12" becomes "120000" (micro-units); 13 integer digits are refused', () => {
    expect(priceString.parse('0.12')).toBe('120000');
    expect(priceString.safeParse('1234567890123').success).toBe(false);
  });
});

describe('issue messages', () => {
  it('name where each problem is, one line each, prefixed by the part of the input', () => {
    const schema = z.object({ a: z.object({ b: z.string() }), c: z.number() });
    const result = schema.safeParse({ a: { b: 1 }, c: 'x' });
    expect(result.success).toBe(false);
    const text = describeIssues(result.error!, 'plan');
    const lines = text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^plan\.a\.b: /);
    expect(lines[1]).toMatch(/^plan\.c: /);
  });

  it('an issue at the root with no prefix is labelled (input)', () => {
    const result = z.string().safeParse(5);
    expect(describeIssues(result.error!, '')).toMatch(/^\(input\): /);
  });
});
