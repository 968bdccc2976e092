import type { Text } from '$lib/i18n/index.svelte.ts';

/**
 * A form document (schemas/form.schema.json) as far as the form renderer and designer read it.
 * Not an API answer: definitions travel as documents (`GET /api/definitions/versions/{id}`), and
 * their full types are the definition language's (@estateflow/definitions).
 */
/** Help and placeholder may be in one language only; readers of the other see it (`fullText`). */
export type PartialText = { zh?: string; en?: string };
/** One field of each item of a repeatable group (`widget: 'group'`). */
export type FormColumn = { field: string; widget: string; label: Text; help?: PartialText; placeholder?: PartialText; options?: { value: string | number | boolean; label: Text }[] };
export type FormField = {
  field: string;
  widget: string;
  label?: Text;
  help?: PartialText;
  placeholder?: PartialText;
  columns?: FormColumn[];
  options?: { value: string | number | boolean; label: Text }[];
  visibleWhen?: string;
  enabledWhen?: string;
  requiredWhen?: string;
  errors?: Record<string, Text>;
  items?: { id: string; label: Text }[];
  rows?: number;
  max?: number;
  accept?: string[];
  maxFiles?: number;
  visibility?: 'public' | 'internal' | { roles: string[] };
  /** a key field the request lists show beside unit and title */
  summary?: boolean;
  /** a staff pick (`widget: 'staff'`): only the estate's staff with this role are listed */
  staffRole?: string;
  /** the value is a role key, shown as the role's title */
  isRole?: boolean;
  /** a group whose rows are priced from the estate's paid-service price list (code × quantity; manual lines with a reason) */
  priceList?: boolean;
  /** a figure of the month the server computes from the report rollups and freezes on submit (#22); shown, never typed */
  figure?: string;
};
export type FormSection = { id: string; title?: Text; description?: Text; visibleWhen?: string; visibility?: 'public' | 'internal' | { roles: string[] }; fields: FormField[] };
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
