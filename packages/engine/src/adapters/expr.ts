/**
 * Seam to `@estateflow/expr` (CEL). Until that package exports its compiler this file uses
 * `@marcbachmann/cel-js` directly with the same conventions: integers in, integers out.
 */
import { parse } from '@marcbachmann/cel-js';
import type { Text } from './definitions.ts';

export type ExprVars = {
  context: Record<string, unknown>;
  event: { type: string; data: Record<string, unknown> };
  instance: { id: string; startedAt: string; state: unknown; estateId?: string; unitId?: string };
  actor: { id: string; role: string };
  params: Record<string, unknown>;
  now: string;
};

export type CompiledExpr = (vars: ExprVars) => unknown;

const cache = new Map<string, CompiledExpr>();

function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x);
    return out;
  }
  return v;
}

function fromCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(fromCel);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), fromCel(x)]));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fromCel(x);
    return out;
  }
  return v;
}

/** Compiles a CEL expression once; throws an Error naming the expression when it does not parse. */
export function compileExpression(source: string): CompiledExpr {
  const hit = cache.get(source);
  if (hit) return hit;
  const fn = parse(source);
  const compiled: CompiledExpr = (vars) => fromCel(fn(toCel({ ...vars, now: new Date(vars.now) }) as Record<string, unknown>));
  cache.set(source, compiled);
  return compiled;
}

const TEMPLATE = /\{\{\s*([^}]+?)\s*\}\}/g;

/** Interpolates `{{ CEL }}` in both languages of a text. */
export function renderText(text: Text, vars: ExprVars): Text {
  const one = (s: string) => s.replace(TEMPLATE, (_m, src: string) => {
    const v = compileExpression(src)(vars);
    return v === null || v === undefined ? '' : String(v);
  });
  return { zh: one(text.zh), en: one(text.en) };
}
