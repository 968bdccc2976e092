import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateExpr } from './index.ts';

describe('values crossing into CEL and back', () => {
  it('returns any JSON value unchanged when an expression reads it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        const json = JSON.parse(JSON.stringify(v)) as unknown; // -0 → 0, as JSON would store it
        expect(evaluateExpr('context.v', { context: { v: json } })).toStrictEqual(json);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps integers beyond 2^53 exact as BigInt', () => {
    expect(evaluateExpr('9007199254740991 + 10')).toBe(9007199254741001n);
  });

  it('turns durations into milliseconds and timestamps into Date', () => {
    expect(evaluateExpr('duration("1h30m")')).toBe(5_400_000);
    expect(evaluateExpr('timestamp("2026-03-01T00:00:00Z")')).toEqual(new Date('2026-03-01T00:00:00Z'));
  });

  it('keeps doubles as doubles and integral numbers as ints', () => {
    expect(evaluateExpr('context.a * 2.0', { context: { a: 1.25 } })).toBe(2.5);
    expect(evaluateExpr('context.a / 2', { context: { a: 7 } })).toBe(3);
    expect(evaluateExpr('double(context.a) / 2.0', { context: { a: 7 } })).toBe(3.5);
  });
});
