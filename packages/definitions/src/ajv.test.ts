import { describe, expect, it } from 'vitest';
import { PatternError } from '@estateflow/expr';
import { compileDataSchema } from './ajv.ts';

describe('compileDataSchema', () => {
  it('runs patterns on the linear-time engine: a pattern that stalls RegExp answers 45 and 1,000 characters at once', () => {
    const v = compileDataSchema({ type: 'string', maxLength: 2_000, pattern: '^a*a*a*a*a*a*a*a*$' });
    expect(v(`${'a'.repeat(45)}!`)).toBe(false);
    expect(v(`${'a'.repeat(1_000)}!`)).toBe(false);
    expect(v('a'.repeat(1_000))).toBe(true);
    const ok = compileDataSchema({ type: 'string', maxLength: 20, pattern: '^[0-9]{5,20}$' });
    expect(ok('12345')).toBe(true);
    expect(ok('12a45')).toBe(false);
  });

  it('refuses to compile a pattern the engine lacks (lookaround, back-references)', () => {
    expect(() => compileDataSchema({ type: 'string', maxLength: 50, pattern: '^(?=a)' })).toThrow(PatternError);
    expect(() => compileDataSchema({ type: 'string', maxLength: 50, pattern: '(a)\\1' })).toThrow(/back-references/);
  });
});
