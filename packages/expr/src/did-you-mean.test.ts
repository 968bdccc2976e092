import { describe, expect, it } from 'vitest';
import { checkExpr } from './index.ts';
import { didYouMean, editDistance } from './did-you-mean.ts';

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('yaun', 'yuan')).toBe(1);
    expect(editDistance('context', 'contxt')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only close names', () => {
    expect(didYouMean('startWith', ['startsWith', 'endsWith'])).toBe('startsWith');
    expect(didYouMean('foo', ['of', 'size'])).toBeUndefined();
  });

  it('puts the suggestion in unknown variable and function messages', () => {
    expect(checkExpr('contxt.serial')[0]?.message.en).toContain('Did you mean "context"?');
    expect(checkExpr('yaun(100)')[0]?.message.zh).toContain('是否想写 yuan');
    expect(checkExpr('dat.x', { scope: 'form' })[0]?.message.en).toContain('"data"');
    expect(checkExpr('zzz.x')[0]?.message.en).toContain('available: event, context, instance, actor, params, now');
  });
});
