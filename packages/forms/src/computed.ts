import { evaluateExpr, ExprError, type CompiledExpr } from '@estateflow/expr';
import type { CompiledForm } from './compile-form.ts';
import type { FieldSchema, Text } from './form-definition.ts';
import { ruleData, type RuleInput } from './rules.ts';

/** A top-level field the filler does not set: computed (`x-computed`), `readOnly` or `x-hidden`. */
export type LockedField = { readonly name: string; readonly computed?: CompiledExpr; readonly default?: unknown };

/** What a field's schema says about who sets it; the same reading for the server, the runner and the designer. */
export function fieldLocks(schema: FieldSchema | undefined): { computed?: string; readOnly: boolean; hidden: boolean } {
  const s = (schema ?? {}) as Record<string, unknown>;
  const computed = typeof s['x-computed'] === 'string' ? s['x-computed'] : undefined;
  return { ...(computed !== undefined ? { computed } : {}), readOnly: s['readOnly'] === true || computed !== undefined, hidden: s['x-hidden'] === true };
}

/** Why a computed field has no value: its expression failed on the data given. */
export type ComputeFailure = { name: string; message: Text };

/**
 * Replaces what the filler sent for locked fields: a submitted value is dropped, the schema's
 * `default` fills a read-only or hidden field, and each `x-computed` expression runs in schema
 * order over `data` (earlier computed fields included), `params`, `actor` and `now`. Mutates and
 * answers `data`'s failures. Pure otherwise: the server on submit and the runner as you type call this.
 */
export function applyLocked(compiled: CompiledForm, data: Record<string, unknown>, input: RuleInput): ComputeFailure[] {
  const failures: ComputeFailure[] = [];
  for (const f of compiled.locked) {
    delete data[f.name];
    if (f.default !== undefined) Object.defineProperty(data, f.name, { value: f.default, enumerable: true, writable: true, configurable: true });
  }
  for (const f of compiled.locked) {
    if (!f.computed) continue;
    try {
      const value = evaluateExpr(f.computed, { data: ruleData(compiled, data), ...input });
      delete data[f.name];
      if (value !== null && value !== undefined && typeof value !== 'bigint' && !(value instanceof Date && Number.isNaN(value.getTime()))) {
        Object.defineProperty(data, f.name, { value: value instanceof Date ? value.toISOString() : value, enumerable: true, writable: true, configurable: true });
      }
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      failures.push({ name: f.name, message: { zh: e.zh, en: e.en } });
    }
  }
  return failures;
}
