import { describe, expect, it } from 'vitest';
import { compileDataSchema } from './ajv.ts';
import { didYouMean, levenshtein } from './did-you-mean.ts';
import { parseJson } from './limits.ts';
import { patternProblem } from './safe-regex.ts';

describe('patternProblem', () => {
  it('accepts ordinary patterns', () => {
    for (const p of ['^[0-9+ -]{5,20}$', '^([01][0-9]|2[0-3]):[0-5][0-9]$', '^(ab)+$', '^(-[0-9A-Za-z.-]+)?$', '^[a-z](?:[a-z0-9-]*[a-z0-9])?$']) expect(patternProblem(p), p).toBeUndefined();
  });

  it('rejects nested repetition, repeated alternation, back-references and broken syntax', () => {
    for (const p of ['(a+)+$', '^(a|a)*$', '(a*)*', '((ab)*c)+', '(?:x{2,})*', '(a)\\1', '(x', '[']) expect(patternProblem(p), p).toBeDefined();
  });

  it('stops a data schema with a catastrophic pattern from compiling at all', () => {
    expect(() => compileDataSchema({ type: 'string', maxLength: 50, pattern: '^(a+)+$' })).toThrow(/backtrack/);
    const ok = compileDataSchema({ type: 'string', maxLength: 20, pattern: '^[0-9]{5,20}$' });
    expect(ok('12345')).toBe(true);
    expect(ok('12a45')).toBe(false);
  });
});

describe('didYouMean', () => {
  it('suggests the closest name, counting a swap of two letters as one typo', () => {
    expect(levenshtein('dnoe', 'done')).toBe(1);
    expect(didYouMean('notifyAsignee', ['notifyAssignee', 'assign'])).toBe('notifyAssignee');
    expect(didYouMean('zzzz', ['notify', 'assign'])).toBeUndefined();
  });
});

describe('parseJson', () => {
  it('turns syntax errors and oversized text into findings', () => {
    const bad = parseJson('{"kind": ', 'x.json');
    expect(bad.ok).toBe(false);
    const big = parseJson(`"${'x'.repeat(1024 * 1024 + 1)}"`, 'x.json');
    expect(big.ok === false && big.findings[0]!.rule).toBe('limit-size');
  });
});
