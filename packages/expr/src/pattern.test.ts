import { describe, expect, it } from 'vitest';
import { compilePattern, PATTERN_LIMITS, patternProblem, patternRegExp, PatternError } from './pattern.ts';

const stallers = ['^a*a*a*a*a*a*a*a*$', '(a+)+$', '^(a|a)*$', '^(a|aa)+$', '^(\\w+\\s?)*$'];

describe('compilePattern (re2js, linear time)', () => {
  it('answers patterns that stall a backtracking engine on 45 and 1,000 characters', () => {
    for (const p of stallers) {
      const r = compilePattern(p);
      expect(r.ok, p).toBe(true);
      if (!r.ok) continue;
      for (const n of [45, 1_000]) expect(r.pattern.test(`${'a'.repeat(n)}!`), `${p} × ${n}`).toBe(false);
      expect(r.pattern.test('a'.repeat(1_000)), p).toBe(true);
    }
  });

  it('reads ECMAScript syntax as JSON Schema authors write it, searching unanchored like RegExp.test', () => {
    const han = compilePattern('^[\\u4e00-\\u9fa5]{2,4}$');
    expect(han.ok && han.pattern.test('张三丰')).toBe(true);
    expect(han.ok && han.pattern.test('Zhang')).toBe(false);
    const named = compilePattern('^(?<year>[0-9]{4})-(0[1-9]|1[0-2])$');
    expect(named.ok && named.pattern.test('2026-12')).toBe(true);
    const inner = compilePattern('[0-9]{3}');
    expect(inner.ok && inner.pattern.test('room 101 b')).toBe(true);
  });

  it('refuses lookaround and back-references with a way to rewrite them, in zh and en', () => {
    for (const [p, reason] of [['(?=.*[0-9])', 'lookaround'], ['^(?!/)x', 'lookaround'], ['(?<=a)b', 'lookaround'], ['(?<!a)b', 'lookaround'], ['(a)\\1', 'back-reference'], ['(?<x>a)\\k<x>', 'back-reference']] as const) {
      const problem = patternProblem(p);
      expect(problem?.reason, p).toBe(reason);
      expect(problem?.zh, p).toMatch(/正则表达式不能使用/);
      expect(problem?.en, p).toMatch(/Patterns may not use/);
    }
  });

  it('refuses patterns too long, too large for the program limit, or broken', () => {
    expect(patternProblem('a'.repeat(PATTERN_LIMITS.maxSourceLength + 1))?.reason).toBe('too-long');
    expect(patternProblem('^[a-z]{1,1000}$')?.reason).toBe('too-large');
    expect(patternProblem('a{1001}')?.reason).toBe('too-large');
    expect(patternProblem('(x')?.reason).toBe('invalid');
    expect(patternProblem('[')?.en).toMatch(/^Invalid pattern/);
    expect(patternProblem('^[0-9+ -]{5,20}$')).toBeUndefined();
    // an escaped ( before ?= is an optional bracket, an escaped backslash before 1 a backslash and a 1
    expect(patternProblem('^\\(?=$')).toBeUndefined();
    expect(patternProblem('^a\\\\1$')).toBeUndefined();
  });

  it('is an ajv regExp engine: a refused pattern throws PatternError at schema compile time', () => {
    expect(patternRegExp('^[0-9]{3}$', 'u').test('123')).toBe(true);
    expect(() => patternRegExp('(?=a)', 'u')).toThrow(PatternError);
    expect(patternRegExp.code).toBe('patternRegExp');
    expect(String(patternRegExp('a', 'u'))).not.toBe(String(patternRegExp('b', 'u')));
  });
});
