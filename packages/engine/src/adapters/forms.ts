/**
 * Seam to `@estateflow/forms`. Until that package exports `compileForm` / `validateFormData`,
 * form data is checked here with ajv against the form's JSON Schema, compiled once per form.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { FormDefinition, Text } from './definitions.ts';

export type FormIssue = { field: string; message: Text };
export type CompiledForm = { id: string; validate: (data: unknown) => FormIssue[] };

const addFormats = addFormatsImport as unknown as (a: Ajv2020) => void;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);

/** Compiles a form's data schema once. */
export function compileFormValidator(form: FormDefinition): CompiledForm {
  const check = ajv.compile(form.schema);
  return {
    id: form.id,
    validate(data) {
      if (check(data)) return [];
      return (check.errors ?? []).map((e) => {
        const missing = e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty) : undefined;
        const field = missing ?? (e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)');
        const en = missing ? `Field "${field}" is required` : `Field "${field}" ${e.message ?? 'is invalid'}`;
        const zh = missing ? `字段“${field}”为必填项` : `字段“${field}”不符合要求（${e.keyword}）`;
        return { field, message: { zh, en } };
      });
    },
  };
}
