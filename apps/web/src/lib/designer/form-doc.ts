import type { FormDefinition, FormField, JsonSchema } from '$lib/forms/form-document.ts';

/** Widgets of schemas/README.md with the JSON Schema each one stores its value as. */
export const WIDGETS = [
  'text', 'textarea', 'number', 'money', 'date', 'datetime', 'select', 'radio', 'checkbox',
  'unit', 'phone', 'attachment', 'signature', 'checklist', 'rating',
] as const;
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
    case 'text': case 'unit': return { type: 'string', maxLength: 200 };
    case 'textarea': return { type: 'string', maxLength: 2000 };
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
