import type { ErrorObject } from 'ajv';
import { renderTemplate } from '@estateflow/expr';
import type { CompiledForm } from './compile-form.ts';
import type { FieldSchema, Text } from './form-definition.ts';
import { defaultMessage } from './messages.ts';
import { fieldStates, ruleData, type RuleInput } from './rules.ts';
import { applyLocked } from './computed.ts';
import { InputTooLarge, isEmpty, isPlainObject, sanitize, undeclaredFields } from './sanitize.ts';

/** One problem with submitted data; `field` is a JSON pointer such as `/phone` or `/items/0/qty`. */
export type FieldError = { field: string; keyword: string; message: Text };

export type ValidateOptions = RuleInput & {
  /** accepted for symmetry with `renderModel`; messages always carry both languages */
  locale?: string;
};

export type ValidationResult = { ok: true; data: Record<string, unknown> } | { ok: false; errors: FieldError[] };

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function labelFor(compiled: CompiledForm, name: string): Text {
  const f = compiled.fields.get(name);
  if (f) return f.def.label;
  const title = compiled.prepared[name]?.title;
  return { zh: title ?? name, en: title ?? name };
}

/** Label of a nested pointer: "维修项目 第 2 行 数量" / "Items, row 2, qty". */
function nestedLabel(compiled: CompiledForm, segments: string[]): Text {
  const [top = '', ...rest] = segments;
  const base = labelFor(compiled, top);
  let schema: FieldSchema | undefined = compiled.prepared[top];
  let zh = base.zh;
  let en = base.en;
  for (const seg of rest) {
    if (schema?.type === 'array' && /^\d+$/.test(seg)) {
      zh += ` 第 ${Number(seg) + 1} 行`;
      en += `, row ${Number(seg) + 1}`;
      schema = schema.items;
    } else if (schema?.type === 'object') {
      const child: FieldSchema | undefined = schema.properties[seg];
      // a repeatable group's column label, else the item field's title, else its key
      const column = compiled.fields.get(top)?.def.columns?.find((c) => c.field === seg)?.label;
      const title = child?.title ?? seg;
      zh += ` ${column?.zh ?? title}`;
      en += `, ${column?.en ?? title}`;
      schema = child;
    }
  }
  return { zh, en };
}

function customText(compiled: CompiledForm, top: string, keyword: string, data: Record<string, unknown>, input: RuleInput): Text | undefined {
  const text = compiled.fields.get(top)?.def.errors?.[keyword];
  if (!text) return undefined;
  if (!text.zh.includes('{{') && !text.en.includes('{{')) return text;
  try {
    const vars = { data: ruleData(compiled, data), ...input };
    return { zh: renderTemplate(text.zh, vars, { scope: 'form' }), en: renderTemplate(text.en, vars, { scope: 'form' }) };
  } catch {
    return text;
  }
}

function toFieldError(compiled: CompiledForm, e: ErrorObject, data: Record<string, unknown>, input: RuleInput): FieldError {
  let pointer = e.instancePath;
  if (e.keyword === 'required') pointer += `/${escapePointer(String((e.params as { missingProperty?: unknown }).missingProperty))}`;
  const segments = pointer.split('/').slice(1).map(unescapePointer);
  const top = segments[0] ?? '';
  const message =
    customText(compiled, top, e.keyword, data, input) ??
    defaultMessage(e.keyword, {
      label: segments.length > 1 ? nestedLabel(compiled, segments) : labelFor(compiled, top),
      money: compiled.fields.get(top)?.money === true,
      params: e.params as Record<string, unknown>,
    });
  return { field: pointer, keyword: e.keyword, message };
}

/** A key the form does not declare, named by its pointer (cut to 60 characters: the key is the caller's). */
function undeclaredError(pointer: string): FieldError {
  const shown = pointer.length > 60 ? `${pointer.slice(0, 60)}…` : pointer;
  return {
    field: pointer.length > 200 ? `${pointer.slice(0, 200)}…` : pointer,
    keyword: 'additionalProperties',
    message: { zh: `“${shown}”：表单中没有这个字段`, en: `"${shown}": the form has no such field` },
  };
}

/**
 * Validates submitted form data: refuses keys the form does not declare (`additionalProperties`,
 * naming each by its pointer), drops the values of hidden fields, applies
 * `requiredWhen` / `visibleWhen` / `enabledWhen`, then the compiled JSON Schema. Computed
 * (`x-computed`), `readOnly` and `x-hidden` fields never take the filler's value: they are
 * recomputed or reset to their default first (`applyLocked`). Pure.
 * @example
 * const r = validateFormData(compileForm(form), { item: '' }, { now });
 * if (!r.ok) r.errors[0]; // { field: '/item', keyword: 'required', message: { zh: '物品名称：必填项', en: 'Item: this field is required' } }
 */
export function validateFormData(compiled: CompiledForm, data: unknown, opts: ValidateOptions = {}): ValidationResult {
  const input: RuleInput = {};
  if (opts.actor) input.actor = opts.actor;
  if (opts.params) input.params = opts.params;
  if (opts.now) input.now = opts.now;
  if (!isPlainObject(data)) {
    return { ok: false, errors: [{ field: '', keyword: 'type', message: { zh: '表单数据必须是一个对象', en: 'Form data must be an object' } }] };
  }
  const undeclared = undeclaredFields(data, compiled.prepared);
  if (undeclared.length > 0) return { ok: false, errors: undeclared.map(undeclaredError) };
  let clean: Record<string, unknown>;
  try {
    clean = sanitize(data, compiled.prepared);
  } catch (e) {
    if (!(e instanceof InputTooLarge)) throw e;
    return { ok: false, errors: [{ field: '', keyword: 'size', message: defaultMessage('size', { label: { zh: '表单数据', en: 'Form data' }, money: false, params: {} }) }] };
  }
  // computed, read-only and hidden fields: what the filler sent is replaced before any rule reads it
  const failed = new Map(applyLocked(compiled, clean, input).map((f) => [f.name, f.message]));
  const states = fieldStates(compiled, clean, input);
  const errors: FieldError[] = [];
  for (const name of compiled.properties) {
    const state = states.get(name);
    if (state && !state.visible) {
      delete clean[name];
      continue;
    }
    const required = state ? state.required : compiled.requiredBase.has(name);
    const value = clean[name];
    const uncheckedBox = compiled.fields.get(name)?.def.widget === 'checkbox' && value === false;
    if (required && (isEmpty(value) || uncheckedBox)) {
      const why = failed.get(name);
      const e = (why
        ? { instancePath: `/${escapePointer(name)}`, keyword: 'computed', params: why, schemaPath: '' }
        : { instancePath: '', keyword: 'required', params: { missingProperty: name }, schemaPath: '' }) as ErrorObject;
      errors.push(toFieldError(compiled, e, clean, input));
    }
  }
  if (!compiled.validate(clean)) {
    for (const e of compiled.validate.errors ?? []) errors.push(toFieldError(compiled, e, clean, input));
  }
  if (errors.length === 0) return { ok: true, data: clean };
  const order = new Map(compiled.properties.map((p, i) => [p, i]));
  const rank = (f: FieldError) => order.get(unescapePointer(f.field.split('/')[1] ?? '')) ?? -1;
  errors.sort((a, b) => rank(a) - rank(b));
  return { ok: false, errors };
}
