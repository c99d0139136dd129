import { describe, expect, it } from 'vitest';
import { AmountMemo, amountOf, big } from '../../billing/amounts.js';

describe('AmountMemo', () => {
  it('answers a repeated text with its value and a changed text with the new value', () => {
    const memo = new AmountMemo();
    expect(memo.parse('1500')).toBe(1500n);
    expect(memo.parse('1500')).toBe(1500n);
    expect(memo.parse('2500')).toBe(2500n);
    expect(memo.parse('0')).toBe(0n);
    expect(memo.parse('-7')).toBe(-7n);
  });

  it('reads back what it formatted, and formats exactly as amountOf does', () => {
    const memo = new AmountMemo();
    const text = memo.format(123_456_789_012_345_678_901n);
    expect(text).toBe('123456789012345678901');
    expect(memo.parse(text)).toBe(123_456_789_012_345_678_901n);
    expect(memo.format(0n)).toBe('0');
    expect(memo.format(-5n)).toBe(amountOf(-5n));
  });

  it('never answers a value with a non-canonical text it only parsed', () => {
    const memo = new AmountMemo();
    expect(memo.parse('0042')).toBe(42n);
    expect(memo.format(42n)).toBe('42');
  });

  it('gives the same results as parsing every time, over a random walk of texts and values', () => {
    const memo = new AmountMemo();
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let i = 0; i < 2_000; i++) {
      const value = BigInt(next() % 50) * 1_000n;
      if (next() % 2 === 0) expect(memo.parse(amountOf(value))).toBe(big(amountOf(value)));
      else expect(memo.format(value)).toBe(amountOf(value));
    }
  });
});
