import type { FormColumn, FormDefinition, FormField, JsonSchema } from '$lib/forms/form-document.ts';

/** Widgets of schemas/README.md with the JSON Schema each one stores its value as. */
export const WIDGETS = [
  'text', 'textarea', 'number', 'money', 'date', 'datetime', 'select', 'radio', 'checkbox',
  'unit', 'phone', 'photo', 'attachment', 'signature', 'checklist', 'rating', 'group', 'staff',
] as const;
/** The widgets a repeatable group's columns may use (schemas/form.schema.json `Column`). */
export const COLUMN_WIDGETS = ['text', 'textarea', 'number', 'money', 'date', 'select', 'checkbox', 'phone'] as const;
export type ColumnWidget = (typeof COLUMN_WIDGETS)[number];
export type Widget = (typeof WIDGETS)[number];

export function schemaFor(widget: Widget): JsonSchema {
  switch (widget) {
    case 'number': return { type: 'number' };
    case 'money': return { type: 'integer', minimum: 0 };
    case 'rating': return { type: 'integer', minimum: 1, maximum: 5 };
    case 'checkbox': return { type: 'boolean' };
    case 'date': return { type: 'string', format: 'date' };
    case 'datetime': return { type: 'string', format: 'date-time' };
    case 'phone': return { type: 'string', pattern: '^[0-9+\\- ]{5,20}$', maxLength: 20 };
    case 'checklist': return { type: 'array', items: { type: 'string' } };
    case 'select': case 'radio': return { type: 'string', enum: ['a', 'b'] };
    case 'attachment': case 'signature': return { type: 'string' };
    case 'photo': return { type: 'array', maxItems: 9, items: { type: 'string', maxLength: 500 } };
    case 'text': case 'unit': return { type: 'string', maxLength: 200 };
    case 'staff': return { type: 'string', maxLength: 64 };
    case 'textarea': return { type: 'string', maxLength: 2000 };
    case 'group': return { type: 'array', maxItems: 20, items: { type: 'object', properties: { item1: { type: 'string', maxLength: 200 } }, required: [] } };
    default: return assertNever(widget);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${String(x)}`);
}

export function emptyForm(id: string): FormDefinition {
  return {
    kind: 'form',
    id,
    title: { zh: '新表单', en: 'New form' },
    schema: { type: 'object', properties: {}, required: [] },
    layout: { sections: [{ id: 'main', title: { zh: '基本信息', en: 'Details' }, fields: [] }] },
  };
}

/** A field name not yet used in the form: `text1`, `text2`, … */
export function freshName(doc: FormDefinition, widget: string): string {
  const used = new Set(Object.keys(doc.schema.properties ?? {}));
  for (let i = 1; ; i++) if (!used.has(`${widget}${i}`)) return `${widget}${i}`;
}

export function addField(doc: FormDefinition, sectionIndex: number, widget: Widget, labelZh: string, labelEn: string): string {
  const name = freshName(doc, widget);
  doc.schema.properties = { ...(doc.schema.properties ?? {}), [name]: schemaFor(widget) };
  const field: FormField = { field: name, widget, label: { zh: labelZh, en: labelEn } };
  if (widget === 'select' || widget === 'radio') field.options = [{ value: 'a', label: { zh: '选项A', en: 'Option A' } }, { value: 'b', label: { zh: '选项B', en: 'Option B' } }];
  if (widget === 'checklist') field.options = [{ value: 'step1', label: { zh: '步骤一', en: 'Step 1' } }];
  if (widget === 'group') field.columns = [{ field: 'item1', widget: 'text', label: { zh: '名称', en: 'Name' } }];
  doc.layout.sections[sectionIndex]?.fields.push(field);
  return name;
}

export function removeField(doc: FormDefinition, name: string): void {
  for (const s of doc.layout.sections) s.fields = s.fields.filter((f) => f.field !== name);
  const { [name]: _, ...rest } = doc.schema.properties ?? {};
  doc.schema.properties = rest;
  doc.schema.required = (doc.schema.required ?? []).filter((r) => r !== name);
}

export function renameField(doc: FormDefinition, from: string, to: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(to) || (doc.schema.properties ?? {})[to]) return false;
  const props = doc.schema.properties ?? {};
  doc.schema.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k === from ? to : k, v]));
  doc.schema.required = (doc.schema.required ?? []).map((r) => (r === from ? to : r));
  for (const s of doc.layout.sections) for (const f of s.fields) if (f.field === from) f.field = to;
  return true;
}

/** Moves a field to `toIndex` of section `toSection` (drag and drop, or the move buttons). */
export function moveField(doc: FormDefinition, name: string, toSection: number, toIndex: number): void {
  let moving: FormField | undefined;
  for (const s of doc.layout.sections) {
    const i = s.fields.findIndex((f) => f.field === name);
    if (i >= 0) [moving] = s.fields.splice(i, 1);
  }
  const target = doc.layout.sections[toSection];
  if (!moving || !target) return;
  target.fields.splice(Math.max(0, Math.min(toIndex, target.fields.length)), 0, moving);
}

export function setRequired(doc: FormDefinition, name: string, required: boolean): void {
  const set = new Set(doc.schema.required ?? []);
  if (required) set.add(name);
  else set.delete(name);
  doc.schema.required = [...set];
}

/** Options as text lines `value=中文|English`, and back; select/radio keep the schema enum in step. */
export function optionsToText(field: FormField): string {
  return (field.options ?? []).map((o) => `${o.value}=${o.label.zh}|${o.label.en}`).join('\n');
}
export function textToOptions(doc: FormDefinition, field: FormField, text: string): void {
  field.options = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [value = '', labels = ''] = l.split('=');
      const [zhLabel = value, enLabel = zhLabel] = labels.split('|');
      return { value: value.trim(), label: { zh: zhLabel.trim() || value.trim(), en: enLabel.trim() || value.trim() } };
    });
  const schema = doc.schema.properties?.[field.field];
  if (schema && (field.widget === 'select' || field.widget === 'radio')) schema.enum = field.options.map((o) => o.value);
  if (schema && field.widget === 'checklist') schema.items = { type: 'string', enum: field.options.map((o) => o.value) };
}

/** Who sets a field's value: the filler (none), a CEL expression, or nobody (read-only / hidden, from its default). */
export function setLock(doc: FormDefinition, name: string, key: 'readOnly' | 'x-hidden', on: boolean): void {
  const schema = doc.schema.properties?.[name];
  if (!schema) return;
  if (on) schema[key] = true;
  else delete schema[key];
}

/** The item record of a repeatable group's schema. */
function itemsOf(doc: FormDefinition, group: string): JsonSchema | undefined {
  const items = doc.schema.properties?.[group]?.items;
  return items && items.type === 'object' ? items : undefined;
}

/** Adds a column to a repeatable group: a layout column and an item property, kept in step. */
export function addColumn(doc: FormDefinition, field: FormField, widget: ColumnWidget, labelZh: string, labelEn: string): string {
  const items = itemsOf(doc, field.field);
  if (!items) return '';
  const used = new Set(Object.keys(items.properties ?? {}));
  let key = widget as string;
  for (let i = 1; used.has(key); i++) key = `${widget}${i}`;
  const base = schemaFor(widget);
  items.properties = { ...(items.properties ?? {}), [key]: base };
  const col: FormColumn = { field: key, widget, label: { zh: labelZh, en: labelEn } };
  if (widget === 'select') col.options = [{ value: 'a', label: { zh: '选项A', en: 'Option A' } }, { value: 'b', label: { zh: '选项B', en: 'Option B' } }];
  field.columns = [...(field.columns ?? []), col];
  return key;
}

export function removeColumn(doc: FormDefinition, field: FormField, key: string): void {
  const items = itemsOf(doc, field.field);
  if (items) {
    const { [key]: _, ...rest } = items.properties ?? {};
    items.properties = rest;
    items.required = (items.required ?? []).filter((r) => r !== key);
  }
  field.columns = (field.columns ?? []).filter((c) => c.field !== key);
}

export function renameColumn(doc: FormDefinition, field: FormField, from: string, to: string): boolean {
  const items = itemsOf(doc, field.field);
  if (!items || !/^[A-Za-z][A-Za-z0-9_]*$/.test(to) || (items.properties ?? {})[to]) return false;
  items.properties = Object.fromEntries(Object.entries(items.properties ?? {}).map(([k, v]) => [k === from ? to : k, v]));
  items.required = (items.required ?? []).map((r) => (r === from ? to : r));
  for (const c of field.columns ?? []) if (c.field === from) c.field = to;
  return true;
}

export function setColumnRequired(doc: FormDefinition, field: FormField, key: string, required: boolean): void {
  const items = itemsOf(doc, field.field);
  if (!items) return;
  const set = new Set(items.required ?? []);
  if (required) set.add(key);
  else set.delete(key);
  items.required = [...set];
}

/** The data names a form's CEL may read (completion): its own fields as `data.x`, and the params its expressions already name. */
export function formNames(doc: FormDefinition): string[] {
  const data = Object.keys(doc.schema.properties ?? {}).map((k) => `data.${k}`);
  return [...data, ...formParams(doc).map((p) => `params.${p}`), 'actor.role', 'now'];
}

/** The `params.x` a form's expressions read (computed values and rules): what its preview asks sample values for. */
export function formParams(doc: FormDefinition): string[] {
  const sources = [
    ...Object.values(doc.schema.properties ?? {}).map((s) => s['x-computed']),
    ...doc.layout.sections.flatMap((s) => s.fields.flatMap((f) => [f.visibleWhen, f.enabledWhen, f.requiredWhen])),
  ].filter((x): x is string => typeof x === 'string');
  const out = new Set<string>();
  for (const src of sources) for (const m of src.matchAll(/\bparams\.([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  return [...out];
}
