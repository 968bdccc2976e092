// Structural mirror of `Form` in @estateflow/definitions (generated from schemas/form.schema.json).
// Kept here, structurally compatible, until that package exports its types; a `Form` value can be
// passed wherever a `FormDefinition` is expected.

export type Text = { readonly zh: string; readonly en: string };

export type Scalar = string | number | boolean;

export type ScalarFieldSchema = {
  readonly type: 'string' | 'integer' | 'number' | 'boolean';
  readonly title?: string;
  readonly description?: string;
  readonly enum?: readonly Scalar[];
  readonly const?: Scalar;
  readonly default?: Scalar;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: 'date' | 'date-time' | 'time' | 'email' | 'uri' | 'uuid';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
};

export type RecordFieldSchema = {
  readonly type: 'object';
  readonly title?: string;
  readonly description?: string;
  readonly properties: { readonly [name: string]: ScalarFieldSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: false;
};

export type ListFieldSchema = {
  readonly type: 'array';
  readonly title?: string;
  readonly description?: string;
  readonly items: ScalarFieldSchema | RecordFieldSchema;
  readonly minItems?: number;
  readonly maxItems: number;
  readonly uniqueItems?: boolean;
};

export type FieldSchema = ScalarFieldSchema | RecordFieldSchema | ListFieldSchema;

export const WIDGETS = [
  'text', 'textarea', 'number', 'money', 'date', 'datetime', 'select', 'radio', 'checkbox',
  'unit', 'phone', 'photo', 'attachment', 'signature', 'checklist', 'rating',
] as const;

export type FormWidget = (typeof WIDGETS)[number];

export type FormOption = { readonly value: Scalar; readonly label: Text };

export type FormField = {
  readonly field: string;
  readonly widget: FormWidget;
  readonly label: Text;
  readonly help?: Text;
  readonly placeholder?: Text;
  readonly options?: readonly FormOption[];
  readonly visibleWhen?: string;
  readonly enabledWhen?: string;
  readonly requiredWhen?: string;
  readonly errors?: { readonly [keyword: string]: Text | undefined };
  readonly rows?: number;
  readonly max?: number;
  readonly accept?: readonly string[];
  readonly maxFiles?: number;
};

export type FormSection = {
  readonly id: string;
  readonly title: Text;
  readonly description?: Text;
  readonly visibleWhen?: string;
  readonly fields: readonly FormField[];
};

export type FormDefinition = {
  readonly kind: 'form';
  readonly id: string;
  readonly title: Text;
  readonly description?: Text;
  readonly schema: {
    readonly type: 'object';
    readonly properties: { readonly [name: string]: FieldSchema };
    readonly required?: readonly string[];
    readonly additionalProperties?: false;
  };
  readonly layout: { readonly sections: readonly FormSection[] };
};
