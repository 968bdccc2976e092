/**
 * Seam to `@estateflow/forms`: the same compiled validator the API and the UI use (compiled once
 * per form), with the form's own zh/en messages naming the field.
 */
import { compileForm, validateFormData } from '@estateflow/forms';
import type { FormDefinition, Text } from './definitions.ts';

export type FormIssue = { field: string; message: Text };
export type FormCheck = { ok: true; data: Record<string, unknown> } | { ok: false; issues: FormIssue[] };
export type FormRuleInput = { actor?: { id: string; role: string }; params?: Record<string, unknown>; now?: string };
export type CompiledForm = { id: string; validate: (data: unknown, input?: FormRuleInput) => FormCheck };

/** Compiles a form's data schema and rules once. */
export function compileFormValidator(form: FormDefinition): CompiledForm {
  const compiled = compileForm(form as Parameters<typeof compileForm>[0]);
  return {
    id: form.id,
    validate(data, input = {}) {
      const opts: Parameters<typeof validateFormData>[2] = {};
      if (input.actor) opts.actor = input.actor;
      if (input.params) opts.params = input.params;
      if (input.now) opts.now = new Date(input.now);
      const r = validateFormData(compiled, data, opts);
      if (r.ok) return { ok: true, data: r.data };
      return { ok: false, issues: r.errors.map((e) => ({ field: e.field, message: e.message })) };
    },
  };
}
