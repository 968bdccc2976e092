import { fullText, renderDescription } from '@estateflow/definitions';
import { formatYuan } from '@estateflow/expr';
import type { CompiledField, CompiledForm } from './compile-form.ts';
import type { FieldSchema, FormWidget, Scalar, Text } from './form-definition.ts';
import { normalizeLocale, pick, type Locale } from './locale.ts';
import { fieldStates, type RuleInput } from './rules.ts';
import { isPlainObject, sanitize } from './sanitize.ts';
import { applyLocked, fieldLocks } from './computed.ts';
import type { FieldError } from './validate.ts';

export type RenderOption = { value: Scalar; label: string };

/** Limits the UI mirrors in its inputs (maxlength, min, max …); taken from the validated schema. */
export type RenderConstraints = {
  type: FieldSchema['type'];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: RenderConstraints & { properties?: Record<string, RenderConstraints & { title?: string }> };
};

export type RenderField = {
  field: string;
  /** JSON pointer of the value, as used in `FieldError.field` */
  pointer: string;
  widget: FormWidget;
  label: string;
  help?: string;
  placeholder?: string;
  options?: RenderOption[];
  /** current value (submitted, else the schema default, else null) */
  value: unknown;
  /** money fields: the value in yuan, e.g. "123.45" */
  display?: string;
  visible: boolean;
  enabled: boolean;
  required: boolean;
  constraints: RenderConstraints;
  rows?: number;
  max?: number;
  accept?: string[];
  maxFiles?: number;
  /** a staff pick (`staff` widget): the role the picked staff member has */
  staffRole?: string;
  /** the filler cannot set it: computed or read-only (its value shown, not an input) */
  readOnly?: boolean;
  /** the CEL that computes it (`x-computed`) */
  computed?: string;
  /** not shown on the form (`x-hidden`); its value is its default or computed */
  hidden?: boolean;
  /** a repeatable group's fields for each item, in order */
  columns?: { field: string; widget: string; label: string; help?: string; placeholder?: string; options?: RenderOption[] }[];
  /** messages of errors at or under this field, in the locale */
  errors: string[];
};

export type RenderSection = { id: string; title: string; description?: string; visible: boolean; fields: RenderField[] };

export type RenderModel = { id: string; locale: Locale; title: string; description?: string; sections: RenderSection[] };

export type RenderInput = RuleInput & {
  locale?: string;
  data?: unknown;
  /** errors from `validateFormData`, attached to their fields */
  errors?: readonly FieldError[];
};

const CONSTRAINT_KEYS = ['minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum', 'minItems', 'maxItems'] as const;

function constraintsOf(schema: FieldSchema): RenderConstraints {
  const c: Record<string, unknown> = { type: schema.type };
  for (const k of CONSTRAINT_KEYS) {
    const v = (schema as Record<string, unknown>)[k];
    if (v !== undefined) c[k] = v;
  }
  if (schema.type === 'array') c['items'] = constraintsOf(schema.items);
  if (schema.type === 'object') {
    const properties: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(schema.properties)) properties[k] = { ...constraintsOf(s), ...(s.title ? { title: s.title } : {}) };
    c['properties'] = properties;
  }
  return c as RenderConstraints;
}

/** Picks a descriptive text in the locale, its `{{params.x}}` filled with the estate's values. */
type Say = (text: Text | undefined) => string | undefined;

function renderField(f: CompiledField, compiled: CompiledForm, locale: Locale, say: Say, data: Record<string, unknown>, state: { visible: boolean; enabled: boolean; required: boolean }, errors: readonly FieldError[]): RenderField {
  const d = f.def;
  const pointer = `/${f.name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const schema = compiled.prepared[f.name] ?? f.schema;
  const has = Object.prototype.hasOwnProperty.call(data, f.name);
  const fallback = 'default' in schema ? (schema.default ?? null) : null;
  const value = has ? data[f.name] : fallback;
  const out: RenderField = {
    field: f.name,
    pointer,
    widget: d.widget,
    label: say(d.label)!,
    value,
    ...state,
    constraints: constraintsOf(schema),
    errors: errors.filter((e) => e.field === pointer || e.field.startsWith(`${pointer}/`)).map((e) => e.message[locale]),
  };
  const help = say(fullText(d.help));
  const placeholder = say(fullText(d.placeholder));
  if (help !== undefined) out.help = help;
  if (placeholder !== undefined) out.placeholder = placeholder;
  if (d.options) out.options = d.options.map((o) => ({ value: o.value, label: say(o.label)! }));
  if (f.money && typeof value === 'number' && Number.isSafeInteger(value)) out.display = formatYuan(BigInt(value));
  if (d.rows !== undefined) out.rows = d.rows;
  if (d.max !== undefined) out.max = d.max;
  if (d.accept) out.accept = [...d.accept];
  if (d.maxFiles !== undefined) out.maxFiles = d.maxFiles;
  if (d.staffRole !== undefined) out.staffRole = d.staffRole;
  const locks = fieldLocks(f.schema);
  if (locks.readOnly) out.readOnly = true;
  if (locks.computed !== undefined) out.computed = locks.computed;
  if (locks.hidden) out.hidden = true;
  if (d.columns) {
    out.columns = d.columns.map((c) => {
      const col: NonNullable<RenderField['columns']>[number] = { field: c.field, widget: c.widget, label: say(c.label)! };
      const h = say(fullText(c.help));
      const p = say(fullText(c.placeholder));
      if (h !== undefined) col.help = h;
      if (p !== undefined) col.placeholder = p;
      if (c.options) col.options = c.options.map((o) => ({ value: o.value, label: say(o.label)! }));
      return col;
    });
  }
  return out;
}

/**
 * What the UI renders (and `GET /forms/:id/render?locale=` returns): sections and fields in
 * layout order with texts resolved for the locale, current values and rule-driven flags. Pure.
 * @example renderModel(compileForm(form), { locale: 'en', data: {}, now }).sections[0].fields[0].label
 */
export function renderModel(compiled: CompiledForm, input: RenderInput = {}): RenderModel {
  const locale = normalizeLocale(input.locale);
  const raw = isPlainObject(input.data) ? input.data : {};
  let data: Record<string, unknown>;
  try {
    data = sanitize(raw, compiled.prepared);
  } catch {
    data = {};
  }
  const rules: RuleInput = {};
  if (input.actor) rules.actor = input.actor;
  if (input.params) rules.params = input.params;
  if (input.now) rules.now = input.now;
  applyLocked(compiled, data, rules);
  const states = fieldStates(compiled, data, rules);
  const errors = input.errors ?? [];
  const form = compiled.form;
  const params = input.params ?? {};
  const say: Say = (text) => pick(text && renderDescription(text, params), locale);
  const model: RenderModel = {
    id: form.id,
    locale,
    title: say(form.title)!,
    sections: compiled.sections.map((s) => {
      const fields = s.fields.map((f) => renderField(f, compiled, locale, say, data, states.get(f.name) ?? { visible: true, enabled: true, required: false }, errors));
      const section: RenderSection = { id: s.def.id, title: say(s.def.title)!, visible: fields.some((f) => f.visible), fields };
      const description = say(s.def.description);
      if (description !== undefined) section.description = description;
      return section;
    }),
  };
  const description = say(form.description);
  if (description !== undefined) model.description = description;
  return model;
}
