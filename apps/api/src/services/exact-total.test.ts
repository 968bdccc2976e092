import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT_FEN } from '@estateflow/definitions';
import { ApiError } from '../errors.ts';
import { exactTotal } from './exact-total.ts';

// 2^53 fen is reached by 900,720 amounts at the cap (MAX_AMOUNT_FEN = 1 亿元): a total is then
// either stated to the fen or refused, never rounded as `reduce((a, b) => a + b)` rounds it.
const CAPPED = 900_720;

describe('exactTotal', () => {
  it('adds capped amounts exactly where floating-point addition rounds above 2^53', () => {
    const amounts = [...Array<number>(CAPPED).fill(MAX_AMOUNT_FEN), 1, -MAX_AMOUNT_FEN];
    // on the way the sum passes 2^53 (9,007,200,000,000,000 fen), where a number holds only even integers
    const exact = 9_007_190_000_000_001; // (900,720 − 1) × 10^10 + 1, below Number.MAX_SAFE_INTEGER
    expect(amounts.reduce((a, b) => a + b, 0)).not.toBe(exact);
    expect(exactTotal('totalFen', amounts)).toBe(exact);
    expect(exactTotal('totalFen', [Number.MAX_SAFE_INTEGER, 2, -2])).toBe(Number.MAX_SAFE_INTEGER);
    expect(exactTotal('totalFen', [])).toBe(0);
  });

  it('refuses a total beyond Number.MAX_SAFE_INTEGER fen with a 422 naming the figure in zh and en', () => {
    const amounts = Array<number>(CAPPED).fill(MAX_AMOUNT_FEN); // 9,007,200,000,000,000 > 2^53 − 1
    let thrown: unknown;
    try {
      exactTotal('unpaidFen', amounts);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    const err = thrown as ApiError;
    expect(err.status).toBe(422);
    expect(err.toBody().error).toMatchObject({ reason: 'amount-out-of-range', field: 'unpaidFen' });
    expect(err.text.zh).toContain('“unpaidFen”');
    expect(err.text.zh).toContain('90,071,992,547,409.91 元');
    expect(err.text.en).toContain('"unpaidFen"');
    expect(err.text.en).toContain('refused, not rounded');
    // below the floor too (refunds and waivers are negative)
    expect(() => exactTotal('/account/paidFen', amounts.map((a) => -a))).toThrow(expect.objectContaining({ reason: 'amount-out-of-range', path: '/account/paidFen' }));
  });
});
