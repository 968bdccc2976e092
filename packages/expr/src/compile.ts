import { ParseError, type ASTNode } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { LIMITS, staticBudgetIssues, withIterationBudget } from './budget.ts';
import { describeCelError, isCelError, issueFromCelError } from './cel-errors.ts';
import { useLinearMatches } from './cel-matches.ts';
import { environmentFor, SCOPE_VARIABLES, type ExprScope } from './environment.ts';
import { ExprError, type ExprIssue } from './errors.ts';
import { timeZoneIssues } from './time-zone-rule.ts';
import { fromCel, toCel } from './values.ts';

/** The result type an expression must have where it is used. */
export type ExprExpect = 'bool' | 'int' | 'string' | 'timestamp' | 'duration' | 'any';

export type ExprOptions = { expect?: ExprExpect; scope?: ExprScope };

/** What an expression may read. Integers arrive as numbers, instants as `Date`. */
export type ExprVars = {
  event?: { type: string; data?: Record<string, unknown> } | Record<string, unknown>;
  context?: Record<string, unknown>;
  instance?: { id?: string; estateId?: string; unitId?: string | null; startedAt?: Date; state?: string } | Record<string, unknown>;
  actor?: { id?: string; role?: string } | Record<string, unknown>;
  params?: Record<string, unknown>;
  now?: Date;
  data?: Record<string, unknown>;
};

type Evaluable = ((context: Record<string, unknown>) => unknown) & { ast: ASTNode };

/** A parsed and type-checked expression; evaluate it many times with `evaluateExpr`. */
export type CompiledExpr = {
  readonly source: string;
  readonly scope: ExprScope;
  readonly expect: ExprExpect;
  /** CEL type the checker inferred, e.g. `bool`, `int`, `dyn`. */
  readonly type: string;
  /** Variables the expression reads; only these are converted on each evaluation. */
  readonly variables: readonly string[];
  readonly run: Evaluable;
};

export type CompileResult = { ok: true; expr: CompiledExpr } | { ok: false; issues: ExprIssue[] };

const CEL_TYPE: Record<Exclude<ExprExpect, 'any'>, readonly string[]> = {
  bool: ['bool'],
  int: ['int', 'uint'],
  string: ['string'],
  timestamp: ['google.protobuf.Timestamp'],
  duration: ['google.protobuf.Duration'],
};

const EXPECT_ZH: Record<Exclude<ExprExpect, 'any'>, string> = {
  bool: '布尔值（true/false）',
  int: '整数',
  string: '字符串',
  timestamp: '时间点（timestamp）',
  duration: '时长（duration）',
};

const CACHE_LIMIT = 5_000;
const cache = new Map<string, CompileResult>();

function collectIds(node: ASTNode, into: Set<string>): void {
  if (node.op === 'id') {
    into.add(node.args);
    return;
  }
  const args: unknown = node.args;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object' && 'op' in x) collectIds(x as ASTNode, into);
  };
  walk(args);
}

function compileUncached(source: string, scope: ExprScope, expect: ExprExpect): CompileResult {
  if (typeof source !== 'string' || source.trim() === '') {
    return { ok: false, issues: [{ reason: 'parse', message: { zh: '表达式为空', en: 'The expression is empty' } }] };
  }
  if (source.length > LIMITS.maxSourceLength) {
    return {
      ok: false,
      issues: [{
        reason: 'too-long',
        message: {
          zh: `表达式过长：${source.length} 个字符，上限 ${LIMITS.maxSourceLength}`,
          en: `Expression too long: ${source.length} characters, the limit is ${LIMITS.maxSourceLength}`,
        },
      }],
    };
  }
  const env = environmentFor(scope);
  let parsed: Evaluable & { check(): { valid: boolean; type?: string; error?: unknown } };
  try {
    parsed = env.parse(source) as typeof parsed;
  } catch (e) {
    if (isCelError(e)) return { ok: false, issues: [issueFromCelError(e, source, scope)] };
    throw e;
  }
  const budget = staticBudgetIssues(source, parsed.ast);
  if (budget.length) return { ok: false, issues: budget };
  const checked = parsed.check();
  if (!checked.valid) {
    const e = checked.error;
    if (isCelError(e)) return { ok: false, issues: [issueFromCelError(e, source, scope)] };
    throw e;
  }
  const zoneIssues = timeZoneIssues(source, parsed.ast);
  if (zoneIssues.length) return { ok: false, issues: zoneIssues };
  useLinearMatches(parsed.ast);
  const type = checked.type ?? 'dyn';
  if (expect !== 'any' && type !== 'dyn' && !CEL_TYPE[expect].includes(type)) {
    return {
      ok: false,
      issues: [{
        reason: 'type',
        message: {
          zh: `表达式应返回${EXPECT_ZH[expect]}，实际返回 ${type}`,
          en: `The expression must return ${expect}, but returns ${type}`,
        },
        position: { offset: 0, line: 1, column: 1 },
      }],
    };
  }
  const ids = new Set<string>();
  collectIds(parsed.ast, ids);
  const variables = SCOPE_VARIABLES[scope].map((v) => v.name).filter((n) => ids.has(n));
  return { ok: true, expr: Object.freeze({ source, scope, expect, type, variables, run: parsed }) };
}

/**
 * Parses and type-checks once per (source, scope, expect); later calls hit a cache.
 * @example
 * const r = compileExpr('context.valueFen >= 10000', { expect: 'bool' });
 * if (r.ok) evaluateExpr(r.expr, { context: { valueFen: 12000 } }); // true
 */
export function compileExpr(source: string, opts: ExprOptions = {}): CompileResult {
  const scope = opts.scope ?? 'workflow';
  const expect = opts.expect ?? 'any';
  const key = `${scope}\u0000${expect}\u0000${source}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = compileUncached(source, scope, expect);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

/** Issues that would stop the expression from compiling; `[]` when it is fine. */
export function checkExpr(source: string, opts: ExprOptions = {}): ExprIssue[] {
  const r = compileExpr(source, opts);
  return r.ok ? [] : [...r.issues];
}

function matchesExpect(value: unknown, expect: ExprExpect): boolean {
  switch (expect) {
    case 'any':
      return true;
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return typeof value === 'bigint' || value instanceof UnsignedInt;
    case 'string':
      return typeof value === 'string';
    case 'timestamp':
      return value instanceof Date;
    case 'duration':
      return value instanceof Duration;
    default: {
      const never: never = expect;
      return never;
    }
  }
}

function celVars(expr: CompiledExpr, vars: ExprVars): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const counter = { values: 0 };
  for (const name of expr.variables) {
    const v = (vars as Record<string, unknown>)[name];
    if (name === 'now') {
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) {
        throw new ExprError('runtime', {
          zh: '表达式用到 now，但调用方没有提供当前时间',
          en: 'The expression reads `now`, but no valid `now` Date was passed',
        });
      }
      out[name] = v;
    } else {
      out[name] = v === undefined || v === null ? Object.create(null) : toCel(v, counter);
    }
  }
  return out;
}

function wrapRuntime(e: unknown, source: string): ExprError {
  if (e instanceof ExprError) return e;
  if (isCelError(e)) {
    const { message, position } = describeCelError(e, source);
    return new ExprError(e instanceof ParseError ? 'parse' : 'runtime', message, { cause: e, ...(position ? { position } : {}) });
  }
  if (e instanceof RangeError) {
    return new ExprError('budget', { zh: '表达式结果过大', en: 'The expression produced a value too large' }, { cause: e });
  }
  const en = e instanceof Error ? e.message : String(e);
  return new ExprError('runtime', { zh: `表达式求值失败：${en}`, en: `Expression failed: ${en}` }, { cause: e });
}

/**
 * Evaluates a compiled expression (or source, compiled through the cache). Pure: reads only
 * `vars`. Throws `ExprError` tagged parse | type | runtime | budget.
 * @example evaluateExpr('yuan(context.feeFen)', { context: { feeFen: 12345 } }) // "123.45"
 */
export function evaluateExpr(exprOrSource: CompiledExpr | string, vars: ExprVars = {}, opts: ExprOptions = {}): unknown {
  let expr: CompiledExpr;
  if (typeof exprOrSource === 'string') {
    const r = compileExpr(exprOrSource, opts);
    if (!r.ok) throw ExprError.fromIssues(r.issues);
    expr = r.expr;
  } else {
    expr = exprOrSource;
  }
  let raw: unknown;
  try {
    const input = celVars(expr, vars);
    raw = withIterationBudget(() => expr.run(input));
  } catch (e) {
    throw wrapRuntime(e, expr.source);
  }
  if (raw instanceof Promise) {
    throw new ExprError('runtime', { zh: '表达式不能是异步的', en: 'Expressions must not be asynchronous' });
  }
  const expect = opts.expect ?? expr.expect;
  if (!matchesExpect(raw, expect)) {
    const zh = expect === 'any' ? '' : EXPECT_ZH[expect];
    throw new ExprError('type', {
      zh: `表达式应返回${zh}，实际得到 ${describe(raw)}`,
      en: `The expression must return ${expect}, got ${describe(raw)}`,
    });
  }
  return fromCel(raw);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (v instanceof Date) return 'timestamp';
  if (v instanceof Duration) return 'duration';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}

