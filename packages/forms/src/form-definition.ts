// The form shapes come from schemas/form.schema.json through @estateflow/definitions; this module
// only names them for this package.
import type {
  FieldSchema,
  Form,
  FormField,
  FormOption,
  FormSection,
  FormWidget,
  ListSchema,
  RecordSchema,
  ScalarSchema,
  Text,
} from '@estateflow/definitions';

export type { FieldSchema, FormField, FormOption, FormSection, FormWidget, Text };
export type FormDefinition = Form;
export type ScalarFieldSchema = ScalarSchema;
export type RecordFieldSchema = RecordSchema;
export type ListFieldSchema = ListSchema;
export type Scalar = FormOption['value'];

/** Every widget kind, in the order of the schema's enum. */
export const WIDGETS = [
  'text', 'textarea', 'number', 'money', 'date', 'datetime', 'select', 'radio', 'checkbox',
  'unit', 'phone', 'photo', 'attachment', 'signature', 'checklist', 'rating', 'group', 'staff',
] as const satisfies readonly FormWidget[];

// Fails to compile when the schema gains a widget this list lacks.
type MissingWidget = Exclude<FormWidget, (typeof WIDGETS)[number]>;
const everyWidgetListed: [MissingWidget] extends [never] ? true : MissingWidget = true;
void everyWidgetListed;
