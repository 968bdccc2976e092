import { describe, expect, it } from 'vitest';
import { parseJson } from './limits.ts';

describe('parseJson', () => {
  it('turns syntax errors and oversized text into findings', () => {
    const bad = parseJson('{"kind": ', 'x.json');
    expect(bad.ok).toBe(false);
    const big = parseJson(`"${'x'.repeat(1024 * 1024 + 1)}"`, 'x.json');
    expect(big.ok === false && big.findings[0]!.rule).toBe('limit-size');
  });
});
