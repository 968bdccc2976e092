import type { ApiIssue } from '$lib/api/client.ts';
import type { FormDefinition } from '$lib/api/types.ts';
import type { FieldState } from './form-state.ts';

export type RuleScope = { actor: { id: string; role: string }; params: Record<string, unknown> };

// TEMPORARY until @estateflow/forms lands: required-only checks, every field visible.
export function fieldStates(definition: FormDefinition, _data: Record<string, unknown>, _scope: RuleScope): (field: string) => FieldState {
  const required = new Set(definition.schema.required ?? []);
  return (field) => ({ visible: true, required: required.has(field), enabled: true });
}

export function checkForm(definition: FormDefinition, data: Record<string, unknown>, _scope: RuleScope): ApiIssue[] {
  return (definition.schema.required ?? [])
    .filter((f) => data[f] === undefined || data[f] === '')
    .map((f) => ({ field: f, message: { zh: '此项必填', en: 'This field is required' } }));
}
