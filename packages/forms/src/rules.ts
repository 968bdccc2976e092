import { evaluateExpr, type CompiledExpr } from '@estateflow/expr';
import type { CompiledField, CompiledForm } from './compile-form.ts';

/** Who fills the form and when; what rule expressions see besides `data`. */
export type RuleInput = {
  actor?: { id?: string; role?: string } | Record<string, unknown>;
  params?: Record<string, unknown>;
  now?: Date;
};

export type FieldState = { visible: boolean; enabled: boolean; required: boolean };

type RuleVars = { data: Record<string, unknown>; actor?: RuleInput['actor']; params?: Record<string, unknown>; now?: Date };

/**
 * Evaluates one rule; a rule that fails at run time (a null field compared with a number, no
 * `now` passed) falls back to the field's default so a half-filled form still renders.
 */
function rule(expr: CompiledExpr | undefined, vars: RuleVars, fallback: boolean): boolean {
  if (!expr) return fallback;
  try {
    return evaluateExpr(expr, vars) === true;
  } catch {
    return fallback;
  }
}

/** `data` as rules see it: every declared property present, null when not filled. */
export function ruleData(compiled: CompiledForm, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of compiled.properties) {
    Object.defineProperty(out, name, { value: Object.prototype.hasOwnProperty.call(data, name) ? data[name] : null, enumerable: true });
  }
  return out;
}

/** Visible / enabled / required for every layout field, in layout order. */
export function fieldStates(compiled: CompiledForm, data: Record<string, unknown>, input: RuleInput): Map<string, FieldState> {
  const vars: RuleVars = { data: ruleData(compiled, data) };
  if (input.actor) vars.actor = input.actor;
  if (input.params) vars.params = input.params;
  if (input.now) vars.now = input.now;
  const states = new Map<string, FieldState>();
  for (const section of compiled.sections) {
    const sectionVisible = rule(section.visible, vars, true);
    for (const f of section.fields) states.set(f.name, stateOf(f, compiled, vars, sectionVisible));
  }
  return states;
}

function stateOf(f: CompiledField, compiled: CompiledForm, vars: RuleVars, sectionVisible: boolean): FieldState {
  const visible = sectionVisible && rule(f.rules.visible, vars, true);
  const enabled = rule(f.rules.enabled, vars, true);
  const required = visible && enabled && (compiled.requiredBase.has(f.name) || rule(f.rules.required, vars, false));
  return { visible, enabled, required };
}
