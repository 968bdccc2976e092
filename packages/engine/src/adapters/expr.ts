/**
 * Seam to `@estateflow/expr` (CEL): compiled once per source through its cache, evaluated with
 * the engine's variables. Instants travel as ISO strings in the engine and as `Date` in CEL.
 */
import { compileExpr, evaluateExpr, ExprError, renderText as renderTextOf, type CompiledExpr as Compiled } from '@estateflow/expr';
import type { Text } from './definitions.ts';

export type ExprVars = {
  context: Record<string, unknown>;
  event: { type: string; data: Record<string, unknown> };
  instance: { id: string; startedAt: string; state?: string; estateId?: string; unitId?: string };
  actor: { id: string; role: string };
  params: Record<string, unknown>;
  now: string;
};

export type CompiledExpr = (vars: ExprVars) => unknown;

const cache = new Map<string, CompiledExpr>();

function celVars(vars: ExprVars) {
  return { ...vars, now: new Date(vars.now), instance: { ...vars.instance, startedAt: new Date(vars.instance.startedAt) } };
}

/** A CEL result as engine JSON: every instant an ISO string, also inside lists and maps (an item's history entry `{'at': now}`). */
const plain = (v: unknown): unknown => {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.some((x) => x !== null && typeof x === 'object') ? v.map(plain) : v;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  }
  return v;
};

/** Compiles a CEL expression once; throws an Error with the zh/en issues when it does not compile. */
export function compileExpression(source: string): CompiledExpr {
  const hit = cache.get(source);
  if (hit) return hit;
  const r = compileExpr(source);
  if (!r.ok) throw ExprError.fromIssues(r.issues);
  const expr: Compiled = r.expr;
  const compiled: CompiledExpr = (vars) => plain(evaluateExpr(expr, celVars(vars)));
  cache.set(source, compiled);
  return compiled;
}

/** Interpolates `{{ CEL }}` in both languages of a text through expr's one renderer (`renderText`). */
export function renderText(text: Text, vars: ExprVars): Text {
  return renderTextOf(text, celVars(vars));
}

/** The bilingual message of an expression failure, when it has one. */
export function exprMessage(e: unknown): Text | undefined {
  return e instanceof ExprError ? { zh: e.zh, en: e.en } : undefined;
}
