import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkExpr, evaluateExpr, ExprError, LIMITS } from './index.ts';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof ExprError ? e.reason : `foreign ${String(e)}`;
  }
}

describe('sandbox: nothing outside the variables is reachable', () => {
  const vars = { context: { a: { b: 1 } }, params: {} };

  it.each([
    'context.__proto__',
    'context.constructor',
    'context.toString',
    'context["__proto__"]',
    'context["constructor"]',
    'context.a.hasOwnProperty',
    'context.a.__proto__.polluted',
    'params.valueOf',
  ])('fails to look up %s', (source) => {
    expect(reasonOf(() => evaluateExpr(source, vars))).toBe('runtime');
  });

  it('answers has() with false for prototype members', () => {
    expect(evaluateExpr('has(context.constructor) || has(context.__proto__) || has(context.a.toString)', vars)).toBe(false);
  });

  it('keeps an own "__proto__" key of parsed JSON as data', () => {
    const data = JSON.parse('{"__proto__": {"admin": true}, "x": 1}') as Record<string, unknown>;
    expect(evaluateExpr('context["__proto__"].admin', { context: data })).toBe(true);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('drops functions and turns class instances in the variables into null', () => {
    class Secret { key = 'k'; }
    const ctx = { fn: () => 1, secret: new Secret() };
    expect(evaluateExpr('!has(context.fn) && context.secret == null', { context: ctx })).toBe(true);
  });

  it('does not know process, globalThis, require or this', () => {
    for (const name of ['process', 'globalThis', 'require', 'this', 'Object']) {
      expect(checkExpr(`${name}.x`)[0]?.reason).toMatch(/unknown-variable|parse/);
    }
  });
});

describe('budget: hostile expressions fail fast with a clear error', () => {
  it('rejects source longer than the limit', () => {
    const [issue] = checkExpr(`1 == ${'1 + '.repeat(600)}1`);
    expect(issue?.reason).toBe('too-long');
    expect(issue?.message.zh).toMatch(/过长/);
  });

  it('rejects deep nesting and too many nodes', () => {
    expect(checkExpr(`${'('.repeat(60)}1${')'.repeat(60)}`)[0]?.reason).toBe('too-complex');
    expect(checkExpr(`${'['.repeat(40)}1${']'.repeat(40)}`)[0]?.reason).toBe('too-complex');
    expect(checkExpr(Array.from({ length: 450 }, () => 'a').join('+').replace(/a/g, '1'))[0]?.reason).toBe('too-complex');
  });

  it('rejects macros nested three deep', () => {
    const [issue] = checkExpr('context.l.all(x, context.l.all(y, context.l.all(z, x == y && y == z)))');
    expect(issue?.reason).toBe('too-complex');
    expect(issue?.message.en).toMatch(/nest/);
  });

  it('stops a quadratic loop over large input at the iteration budget', () => {
    const big = Array.from({ length: 1_000 }, (_, i) => i);
    const t0 = Date.now();
    expect(reasonOf(() => evaluateExpr('context.l.all(x, context.l.all(y, x + y >= 0))', { context: { l: big } }))).toBe('budget');
    expect(Date.now() - t0).toBeLessThan(10_000); // a hang guard, not a speed test
  });

  it('runs loops that stay within the budget', () => {
    const l = Array.from({ length: 50 }, (_, i) => i);
    expect(evaluateExpr('context.l.all(x, context.l.exists(y, y == x))', { context: { l } })).toBe(true);
    expect(LIMITS.maxIterations).toBeGreaterThan(50 * 50);
  });

  it('refuses variables with too many values', () => {
    const huge = Array.from({ length: LIMITS.maxInputValues + 1 }, () => 0);
    expect(reasonOf(() => evaluateExpr('size(context.l)', { context: { l: huge } }))).toBe('budget');
  });

  it('runs .matches() on the linear-time engine: patterns that stall a backtracking engine answer at once', () => {
    for (const p of ['^a*a*a*a*a*a*a*a*$', '(a+)+$', '^(a|aa)*$', '^(\\\\w+\\\\s?)*$']) {
      expect(checkExpr(`context.s.matches("${p}")`), p).toEqual([]);
      for (const n of [45, 1_000]) {
        expect(evaluateExpr(`context.s.matches("${p}")`, { context: { s: `${'a'.repeat(n)}!` } }), `${p} × ${n}`).toBe(false);
        expect(evaluateExpr(`context.l.exists(x, x.matches("${p}"))`, { context: { l: ['!', `${'a'.repeat(n)}!`] } }), `${p} × ${n} in a macro`).toBe(false);
      }
    }
    expect(evaluateExpr('context.s.matches("^a*a*a*a*a*a*a*a*$")', { context: { s: 'a'.repeat(1_000) } })).toBe(true);
    expect(evaluateExpr('context.s.matches("^1[3-9][0-9]{9}$")', { context: { s: '13812345678' } })).toBe(true);
    expect(evaluateExpr('context.s.matches("^[\\\\u4e00-\\\\u9fa5]{2,4}$")', { context: { s: '张三' } })).toBe(true);
    expect(evaluateExpr('context.s.matches("1[3-9]")', { context: { s: 'tel 138' } })).toBe(true);
  });

  it('refuses a .matches() pattern the engine cannot compile, or one that is not a literal', () => {
    for (const p of ['(?=a)b', '(a)\\\\1', '(?<!x)y', 'a{1001}', '(x']) {
      const issue = checkExpr(`context.s.matches("${p}")`)[0];
      expect(issue?.reason, p).toBe('bad-pattern');
      expect(issue?.message.zh, p).toMatch(/正则/);
      expect(issue?.message.en, p).toMatch(/[Pp]attern/);
    }
    expect(checkExpr('context.s.matches("(?=a)b")')[0]?.message.en).toMatch(/lookaround/);
    expect(checkExpr('context.s.matches(context.p)')[0]?.reason).toBe('bad-pattern');
  });

  it('limits cel.bind so values cannot double without bound', () => {
    const chain = 'cel.bind(a, "xx", cel.bind(b, a + a, cel.bind(c, b + b, cel.bind(d, c + c, cel.bind(e, d + d, e + e)))))';
    expect(checkExpr(chain)[0]?.reason).toBe('too-complex');
  });

  it('never hangs or throws a foreign error on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (source) => {
        const r = reasonOf(() => evaluateExpr(source, { context: { a: 1 }, now: new Date(0) }));
        return !r.startsWith('foreign');
      }),
      { numRuns: 300 },
    );
  });
});
