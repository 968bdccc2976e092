import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addBuckets } from './cashier.ts';
import { formatYuan, parseAreaHundredths, roundHalfUp, sumFen, yuanToFen } from './money.ts';

describe('money', () => {
  it('rounds an exact half away from zero and everything else to the nearest fen', () => {
    expect(roundHalfUp(18888768n, 1000n)).toBe(18889n);
    expect(roundHalfUp(223425n, 10n)).toBe(22343n);
    expect(roundHalfUp(223424n, 10n)).toBe(22342n);
    expect(roundHalfUp(-5n, 10n)).toBe(-1n);
    expect(roundHalfUp(-4n, 10n)).toBe(0n);
    expect(roundHalfUp(7n, -2n)).toBe(-4n);
    expect(() => roundHalfUp(1n, 0n)).toThrow(RangeError);
  });

  it('never rounds further than half a fen from the exact value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (n, d) => {
        const r = roundHalfUp(n, d);
        const diff = r * d - n; // error × d
        return 2n * (diff < 0n ? -diff : diff) <= d;
      }),
    );
  });

  it('parses and formats yuan without floating point', () => {
    expect(yuanToFen('1,234.56')).toBe(123456);
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen('-3')).toBe(-300);
    expect(yuanToFen('1.234')).toBeUndefined();
    expect(formatYuan(123456)).toBe('1,234.56');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(-100000000)).toBe('-1,000,000.00');
    fc.assert(fc.property(fc.integer({ min: -(10 ** 12), max: 10 ** 12 }), (fen) => yuanToFen(formatYuan(fen)) === fen));
  });

  it('reads a floor area to the hundredth of a square metre', () => {
    expect(parseAreaHundredths('89.37')).toBe(8937n);
    expect(parseAreaHundredths('89.3')).toBe(8930n);
    expect(parseAreaHundredths('120')).toBe(12000n);
    expect(parseAreaHundredths('89.375')).toBeUndefined();
    expect(parseAreaHundredths('-1')).toBeUndefined();
  });

  it('sums fen exactly and refuses the unsafe range', () => {
    expect(sumFen([1, 2, 3])).toBe(6);
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).toThrow(/safe integer/);
    // the refusal names the figure and has its own reason, which the API answers as 422 amount-out-of-range
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1], '/totalFen')).toThrow(expect.objectContaining({ error: expect.objectContaining({ reason: 'amount-out-of-range', path: '/totalFen' }) }));
    // exact where an intermediate sum passes 2^53: floating point would answer 2^53 − 2
    expect(sumFen([Number.MAX_SAFE_INTEGER, 2, -2])).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('adds ageing buckets exactly, refusing a bucket beyond the safe range rather than rounding it', () => {
    const half = { '0-30': 2 ** 52, '31-90': 1, '91-180': 0, '181-365': 0, '365+': 0 };
    expect(addBuckets([half, { ...half, '0-30': 2 ** 52 - 1, '31-90': -1 }])).toEqual({ '0-30': 2 ** 53 - 1, '31-90': 0, '91-180': 0, '181-365': 0, '365+': 0 });
    expect(() => addBuckets([half, half])).toThrow(expect.objectContaining({ error: expect.objectContaining({ reason: 'amount-out-of-range', path: '/buckets/0-30' }) }));
  });
});
