import { evaluateExpr } from '@estateflow/expr';
import type { ApiIssue } from '$lib/api/client.ts';
import type { FormDefinition, FormField } from '$lib/api/types.ts';
import type { FieldState } from './form-state.ts';

export type RuleScope = { actor: { id: string; role: string }; params: Record<string, unknown> };

function rule(source: string | undefined, fallback: boolean, data: Record<string, unknown>, scope: RuleScope): boolean {
  if (!source) return fallback;
  try {
    return evaluateExpr(source, { data, actor: scope.actor, params: scope.params, now: new Date() }, { scope: 'form', expect: 'bool' }) === true;
  } catch {
    // An expression that cannot be evaluated on partial data shows the field rather than hiding input.
    return fallback;
  }
}

function fieldsOf(definition: FormDefinition): FormField[] {
  return (definition.layout?.sections ?? []).flatMap((s) => s.fields);
}

/** Visibility, required and enabled state of each field for the current values. */
export function fieldStates(definition: FormDefinition, data: Record<string, unknown>, scope: RuleScope): (field: string) => FieldState {
  const required = new Set(definition.schema.required ?? []);
  const states = new Map<string, FieldState>();
  for (const f of fieldsOf(definition)) {
    states.set(f.field, {
      visible: rule(f.visibleWhen, true, data, scope),
      required: required.has(f.field) || rule(f.requiredWhen, false, data, scope),
      enabled: rule(f.enabledWhen, true, data, scope),
    });
  }
  return (field) => states.get(field) ?? { visible: true, required: required.has(field), enabled: true };
}

export function checkForm(definition: FormDefinition, data: Record<string, unknown>, scope: RuleScope): ApiIssue[] {
  const states = fieldStates(definition, data, scope);
  return fieldsOf(definition)
    .filter((f) => states(f.field).visible && states(f.field).required && (data[f.field] === undefined || data[f.field] === ''))
    .map((f) => ({ field: f.field, message: f.errors?.required ?? { zh: '此项必填', en: 'This field is required' } }));
}
