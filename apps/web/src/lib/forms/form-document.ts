import type { Text } from '$lib/i18n/index.svelte.ts';

/**
 * A form document (schemas/form.schema.json) as far as the form renderer and designer read it.
 * Not an API answer: definitions travel as documents (`GET /api/definitions/versions/{id}`), and
 * their full types are the definition language's (@estateflow/definitions).
 */
export type FormField = {
  field: string;
  widget: string;
  label?: Text;
  help?: Text;
  placeholder?: Text;
  options?: { value: string | number; label: Text }[];
  visibleWhen?: string;
  enabledWhen?: string;
  requiredWhen?: string;
  errors?: Record<string, Text>;
  items?: { id: string; label: Text }[];
  /** a key field the request lists show beside unit and title */
  summary?: boolean;
  /** the value is a role key, shown as the role's title */
  isRole?: boolean;
};
export type FormSection = { id: string; title?: Text; fields: FormField[] };
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  [k: string]: unknown;
};
export type FormDefinition = {
  kind: 'form';
  id: string;
  title: Text;
  description?: Text;
  schema: JsonSchema;
  layout: { sections: FormSection[] };
};
