import { describe, expect, it } from 'vitest';
import { checkExpr, compileExpr, evaluateExpr, ExprError } from './index.ts';

const now = new Date('2026-03-01T01:30:00Z');
const vars = {
  event: { type: 'CLAIM', data: { note: 'ok', qty: 3 } },
  context: { valueFen: 15000, grade: 'major', tags: ['a', 'b'], nested: { deep: { x: 1 } } },
  instance: { id: 'i1', estateId: 'e1', unitId: 'u1', startedAt: new Date('2026-02-28T16:30:00Z'), state: 'kept' },
  actor: { id: 'u9', role: 'duty_manager' },
  params: { cheapRetentionMonths: 3 },
  now,
};

function thrown(fn: () => unknown): ExprError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExprError) return e;
    throw e;
  }
  throw new Error('expected an ExprError');
}

describe('compileExpr and evaluateExpr', () => {
  it('evaluates a guard on context with integers as numbers', () => {
    expect(evaluateExpr('context.valueFen >= 10000', vars)).toBe(true);
    expect(evaluateExpr('context.valueFen + 1', vars)).toBe(15001);
  });

  it('reads every documented workflow variable', () => {
    expect(evaluateExpr('event.type == "CLAIM" && event.data.qty == 3', vars)).toBe(true);
    expect(evaluateExpr('instance.state + ":" + instance.estateId', vars)).toBe('kept:e1');
    expect(evaluateExpr('actor.role == "duty_manager"', vars)).toBe(true);
    expect(evaluateExpr('params.cheapRetentionMonths * 2', vars)).toBe(6);
    expect(evaluateExpr('now - instance.startedAt', vars)).toBe(9 * 3600_000);
  });

  it('returns timestamps as Date and maps as plain objects', () => {
    expect(evaluateExpr('now + duration("15m")', vars)).toEqual(new Date('2026-03-01T01:45:00Z'));
    expect(evaluateExpr('context.nested', vars)).toEqual({ deep: { x: 1 } });
    expect(evaluateExpr('context.tags.map(t, t + "!")', vars)).toEqual(['a!', 'b!']);
  });

  it('caches compiled expressions by source, scope and expected type', () => {
    const a = compileExpr('context.grade == "major"', { expect: 'bool' });
    const b = compileExpr('context.grade == "major"', { expect: 'bool' });
    expect(a).toBe(b);
    expect(a.ok && a.expr.variables).toEqual(['context']);
  });

  it('scopes form rules to data, actor, params and now', () => {
    expect(evaluateExpr('data.kind == "leak"', { data: { kind: 'leak' } }, { scope: 'form' })).toBe(true);
    expect(checkExpr('context.x', { scope: 'form' })[0]?.reason).toBe('unknown-variable');
    expect(checkExpr('data.x', { scope: 'workflow' })[0]?.reason).toBe('unknown-variable');
  });

  it('treats a missing map variable as an empty map so has() answers false', () => {
    expect(evaluateExpr('has(event.data)', {})).toBe(false);
  });

  it('refuses to run an expression reading now when no now is passed', () => {
    expect(thrown(() => evaluateExpr('now', {})).reason).toBe('runtime');
  });

  it('evaluates one compiled expression many times with the same result', () => {
    // speed is measured by `pnpm bench expr`, not asserted here: timed tests flake on a busy machine
    const c = compileExpr('context.valueFen >= 10000', { expect: 'bool' });
    if (!c.ok) throw new Error('should compile');
    const results = new Set<unknown>();
    for (let i = 0; i < 1_000; i++) results.add(evaluateExpr(c.expr, vars));
    expect([...results]).toEqual([evaluateExpr('context.valueFen >= 10000', vars)]);
  });
});

describe('checkExpr issues', () => {
  it('returns no issues for a valid boolean guard', () => {
    expect(checkExpr('context.valueFen >= 10000 || actor.role == "admin"', { expect: 'bool' })).toEqual([]);
  });

  it('reports a parse error with offset, line and column in both languages', () => {
    const [issue] = checkExpr('context.a &&\n  (1 + ', { expect: 'bool' });
    expect(issue?.reason).toBe('parse');
    expect(issue?.position?.line).toBe(2);
    expect(issue?.position?.column).toBeGreaterThan(1);
    expect(issue?.message.zh).toMatch(/第 2 行/);
    expect(issue?.message.en).toMatch(/line 2/);
  });

  it('reports a type error for mismatched operands', () => {
    const [issue] = checkExpr('1 + "a"');
    expect(issue?.reason).toBe('type');
    expect(issue?.message.zh).toMatch(/类型不匹配/);
  });

  it('reports the wrong result type against expect', () => {
    expect(checkExpr('1 + 2', { expect: 'bool' })[0]?.reason).toBe('type');
    expect(checkExpr('"x"', { expect: 'timestamp' })[0]?.reason).toBe('type');
    expect(checkExpr('now + duration("1h")', { expect: 'timestamp' })).toEqual([]);
    expect(checkExpr('hours(2)', { expect: 'duration' })).toEqual([]);
  });

  it('checks dynamic results against expect at evaluation time', () => {
    const e = thrown(() => evaluateExpr('context.grade', vars, { expect: 'bool' }));
    expect(e.reason).toBe('type');
    expect(e.zh).toMatch(/布尔值/);
  });

  it('names an unknown variable', () => {
    const [issue] = checkExpr('contxt.serial');
    expect(issue).toMatchObject({ reason: 'unknown-variable', position: { offset: 0, line: 1, column: 1 } });
    expect(issue?.message.en).toContain('contxt');
  });

  it('rejects an empty expression', () => {
    expect(checkExpr('  ')[0]?.reason).toBe('parse');
  });

  it('throws compile issues from evaluateExpr as a tagged ExprError', () => {
    const e = thrown(() => evaluateExpr('1 +', {}));
    expect(e.reason).toBe('parse');
    expect(e.issues).toHaveLength(1);
    expect(e.position?.column).toBe(4);
  });
});
