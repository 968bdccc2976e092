import { compileForm, renderModel, validateFormData, type CompiledForm, type FormDefinition as SharedFormDefinition } from '@estateflow/forms';
import type { ApiIssue } from '$lib/api/client.ts';
import type { FormDefinition } from '$lib/forms/form-document.ts';
import type { FieldState } from './form-state.ts';

export type RuleScope = { actor: { id: string; role: string }; params: Record<string, unknown> };

const failed = new WeakSet<object>();

/** The shared compiled form (the one the server validates with), or null while a designer draft does not compile. */
function compiled(definition: FormDefinition): CompiledForm | null {
  if (failed.has(definition)) return null;
  try {
    return compileForm(definition as unknown as SharedFormDefinition);
  } catch {
    failed.add(definition);
    return null;
  }
}

/** Visibility, required and enabled state of each field for the current values, and computed values, from `@estateflow/forms`. */
export function fieldStates(definition: FormDefinition, data: Record<string, unknown>, scope: RuleScope): (field: string) => FieldState {
  const form = compiled(definition);
  const required = new Set(definition.schema.required ?? []);
  if (!form) return (field) => ({ visible: true, required: required.has(field), enabled: true });
  const model = renderModel(form, { data, actor: scope.actor, params: scope.params, now: new Date() });
  const states = new Map<string, FieldState>();
  for (const section of model.sections) {
    for (const f of section.fields) {
      const st: FieldState = { visible: section.visible && f.visible, required: f.required, enabled: f.enabled };
      if (f.readOnly || f.hidden) Object.assign(st, { readOnly: Boolean(f.readOnly), hidden: Boolean(f.hidden), computed: f.computed !== undefined, value: f.value }, f.display !== undefined ? { display: f.display } : {});
      states.set(f.field, st);
    }
  }
  return (field) => states.get(field) ?? { visible: true, required: required.has(field), enabled: true };
}

/** The same validation the server runs (`validateFormData`), as issues keyed by field. */
export function checkForm(definition: FormDefinition, data: Record<string, unknown>, scope: RuleScope): ApiIssue[] {
  const form = compiled(definition);
  if (!form) return [];
  const result = validateFormData(form, data, { actor: scope.actor, params: scope.params, now: new Date() });
  return result.ok ? [] : result.errors.map((e) => ({ pointer: e.field, keyword: e.keyword, message: e.message }));
}
