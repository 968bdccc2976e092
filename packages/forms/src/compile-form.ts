import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { compileExpr, PatternError, patternRegExp, type CompiledExpr, type ExprIssue } from '@estateflow/expr';
import { DATA_ANNOTATIONS, MAX_AMOUNT_FEN } from '@estateflow/definitions';
import type { FieldSchema, FormDefinition, FormField, FormSection, Text } from './form-definition.ts';

/** A problem in a form definition, pointing into it with a JSON pointer. */
export type FormDefinitionIssue = {
  reason: 'unknown-field' | 'duplicate-field' | 'bad-expression' | 'widget-mismatch' | 'bad-schema';
  pointer: string;
  message: Text;
  exprIssues?: ExprIssue[];
};

/** Thrown by `compileForm` when the definition cannot be used; carries every issue found. */
export class FormDefinitionError extends Error {
  readonly reason = 'form-definition-invalid' as const;
  readonly zh: string;
  readonly en: string;
  constructor(readonly formId: string, readonly issues: readonly FormDefinitionIssue[], options?: { cause?: unknown }) {
    const first = issues[0]?.message ?? { zh: '表单定义无效', en: 'Invalid form definition' };
    const more = issues.length > 1 ? { zh: `（另有 ${issues.length - 1} 处问题）`, en: ` (and ${issues.length - 1} more)` } : { zh: '', en: '' };
    super(`Form "${formId}": ${first.en}${more.en}`, options);
    this.name = 'FormDefinitionError';
    this.zh = `表单“${formId}”：${first.zh}${more.zh}`;
    this.en = this.message;
  }
}

type Rules = { visible?: CompiledExpr; enabled?: CompiledExpr; required?: CompiledExpr };

export type CompiledField = {
  readonly name: string;
  readonly def: FormField;
  readonly section: number;
  readonly schema: FieldSchema;
  readonly money: boolean;
  readonly rules: Rules;
};

export type CompiledSection = { readonly def: FormSection; readonly visible?: CompiledExpr; readonly fields: readonly CompiledField[] };

/** A form ready for validation and rendering: rules compiled, ajv validator built once. */
export type CompiledForm = {
  readonly id: string;
  readonly hash: string;
  readonly form: FormDefinition;
  readonly sections: readonly CompiledSection[];
  /** every layout field by data property name */
  readonly fields: ReadonlyMap<string, CompiledField>;
  /** every data property, in schema order */
  readonly properties: readonly string[];
  readonly requiredBase: ReadonlySet<string>;
  /** schema per property, as validated (money → integer, options → enum, caps added) */
  readonly prepared: Readonly<Record<string, FieldSchema>>;
  readonly validate: ValidateFunction;
};

/** Strings without a declared maxLength are capped here, so hostile input is bounded. */
export const DEFAULT_MAX_STRING_LENGTH = 10_000;
/** Used for `phone` fields that declare no pattern: digits, spaces, dashes, optional leading +. */
export const DEFAULT_PHONE_PATTERN = '^\\+?[0-9][0-9 -]{4,19}$';

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020, formats: string[]) => Ajv2020;
// `time` in a form is a time of day on the estate's clock ("17:30", as <input type=time> sends it),
// not RFC 3339's zoned time; `date-time` stays an instant with an offset.
// `pattern` runs on the linear-time engine (re2js), so no field pattern can stall validation.
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true, messages: false, code: { regExp: patternRegExp } }), ['date', 'date-time', 'email', 'uri', 'uuid']).addFormat(
  'time',
  /^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$/,
);
// annotations such as `x-personal` (a field holding personal data: phone, id, name) validate nothing
for (const keyword of DATA_ANNOTATIONS) ajv.addKeyword({ keyword, schemaType: 'string' });

const OPTION_WIDGETS = new Set(['select', 'radio', 'checklist']);

function own(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function prepareScalar(schema: FieldSchema, field: FormField | undefined): Record<string, unknown> {
  const s: Record<string, unknown> = { ...schema };
  if (s['type'] === 'string' && s['maxLength'] === undefined) s['maxLength'] = DEFAULT_MAX_STRING_LENGTH;
  if (!field) return s;
  if (field.widget === 'money') {
    s['type'] = 'integer';
    // every money amount is bounded (MAX_AMOUNT_FEN): a form may ask for less, never more
    s['maximum'] = Math.min(typeof s['maximum'] === 'number' ? s['maximum'] : MAX_AMOUNT_FEN, MAX_AMOUNT_FEN);
    s['minimum'] = Math.max(typeof s['minimum'] === 'number' ? s['minimum'] : -MAX_AMOUNT_FEN, -MAX_AMOUNT_FEN);
  }
  if (field.widget === 'phone' && s['type'] === 'string' && s['pattern'] === undefined) s['pattern'] = DEFAULT_PHONE_PATTERN;
  if (field.widget === 'rating' && field.max !== undefined && s['maximum'] === undefined) s['maximum'] = field.max;
  if (field.options && OPTION_WIDGETS.has(field.widget) && s['enum'] === undefined) s['enum'] = field.options.map((o) => o.value);
  return s;
}

/** The schema actually validated for one property; never mutates the definition. */
function prepare(schema: FieldSchema, field: FormField | undefined): Record<string, unknown> {
  switch (schema.type) {
    case 'object': {
      const properties: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties)) properties[k] = prepareScalar(v, undefined);
      return { ...schema, properties, additionalProperties: false };
    }
    case 'array': {
      const items = schema.items.type === 'object' ? prepare(schema.items, undefined) : prepareScalar(schema.items, field);
      return { ...schema, items };
    }
    default:
      return prepareScalar(schema, field);
  }
}

function ruleIssue(pointer: string, source: string | undefined, issues: FormDefinitionIssue[]): CompiledExpr | undefined {
  if (source === undefined) return undefined;
  const r = compileExpr(source, { scope: 'form', expect: 'bool' });
  if (r.ok) return r.expr;
  const first = r.issues[0]?.message ?? { zh: '表达式无效', en: 'invalid expression' };
  issues.push({
    reason: 'bad-expression',
    pointer,
    message: { zh: `${pointer} 的规则表达式有误：${first.zh}`, en: `Rule at ${pointer} is invalid: ${first.en}` },
    exprIssues: r.issues,
  });
  return undefined;
}

type Built = { issues: FormDefinitionIssue[]; compiled?: Omit<CompiledForm, 'validate' | 'hash'> & { ajvSchema: object } };

function build(form: FormDefinition): Built {
  const issues: FormDefinitionIssue[] = [];
  const props = form.schema?.properties ?? {};
  const fields = new Map<string, CompiledField>();
  const sections: CompiledSection[] = [];
  form.layout.sections.forEach((section, si) => {
    const sp = `/layout/sections/${si}`;
    const visible = ruleIssue(`${sp}/visibleWhen`, section.visibleWhen, issues);
    const list: CompiledField[] = [];
    section.fields.forEach((def, fi) => {
      const fp = `${sp}/fields/${fi}`;
      if (!own(props, def.field)) {
        issues.push({ reason: 'unknown-field', pointer: `${fp}/field`, message: { zh: `字段“${def.field}”不在数据模式 /schema/properties 中`, en: `Field "${def.field}" is not declared in /schema/properties` } });
        return;
      }
      if (fields.has(def.field)) {
        issues.push({ reason: 'duplicate-field', pointer: `${fp}/field`, message: { zh: `字段“${def.field}”在布局中出现了两次`, en: `Field "${def.field}" appears twice in the layout` } });
        return;
      }
      const schema = props[def.field] as FieldSchema;
      const money = def.widget === 'money';
      if (money && schema.type !== 'integer' && schema.type !== 'number') {
        issues.push({ reason: 'widget-mismatch', pointer: `${fp}/widget`, message: { zh: `金额字段“${def.field}”的类型必须是 integer（分）`, en: `Money field "${def.field}" must have type integer (fen)` } });
      }
      const rules: Rules = {};
      const v = ruleIssue(`${fp}/visibleWhen`, def.visibleWhen, issues);
      const e = ruleIssue(`${fp}/enabledWhen`, def.enabledWhen, issues);
      const r = ruleIssue(`${fp}/requiredWhen`, def.requiredWhen, issues);
      if (v) rules.visible = v;
      if (e) rules.enabled = e;
      if (r) rules.required = r;
      const cf: CompiledField = { name: def.field, def, section: si, schema, money, rules };
      fields.set(def.field, cf);
      list.push(cf);
    });
    sections.push(visible ? { def: section, visible, fields: list } : { def: section, fields: list });
  });
  const prepared: Record<string, FieldSchema> = {};
  for (const name of Object.keys(props)) prepared[name] = prepare(props[name] as FieldSchema, fields.get(name)?.def) as FieldSchema;
  const ajvSchema = { type: 'object', properties: prepared };
  return {
    issues,
    compiled: {
      id: form.id,
      form,
      sections,
      fields,
      properties: Object.keys(props),
      requiredBase: new Set(form.schema?.required ?? []),
      prepared,
      ajvSchema,
    },
  };
}

/** The JSON pointer of the first `pattern` equal to `source` in the form's data schema. */
function patternPointer(schema: unknown, source: string, at = '/schema'): string | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as Record<string, unknown>;
  if (s['pattern'] === source) return `${at}/pattern`;
  for (const [k, v] of Object.entries((s['properties'] as Record<string, unknown> | undefined) ?? {})) {
    const hit = patternPointer(v, source, `${at}/properties/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (hit) return hit;
  }
  return patternPointer(s['items'], source, `${at}/items`);
}

function schemaIssue(form: FormDefinition, cause: unknown): FormDefinitionIssue {
  if (cause instanceof PatternError) {
    return { reason: 'bad-schema', pointer: patternPointer(form.schema, cause.pattern) ?? '/schema', message: { zh: cause.problem.zh, en: cause.problem.en } };
  }
  const en = cause instanceof Error ? cause.message : String(cause);
  return { reason: 'bad-schema', pointer: '/schema', message: { zh: `数据模式无法编译：${en}`, en: `The data schema does not compile: ${en}` } };
}

/** Every problem `compileForm` would throw for, as values (for `wf validate` and editors). */
export function checkForm(form: FormDefinition): FormDefinitionIssue[] {
  const built = build(form);
  if (built.issues.length || !built.compiled) return built.issues;
  try {
    ajv.compile(built.compiled.ajvSchema);
    ajv.removeSchema(built.compiled.ajvSchema);
    return [];
  } catch (cause) {
    return [schemaIssue(form, cause)];
  }
}

const byObject = new WeakMap<FormDefinition, CompiledForm>();
const byHash = new Map<string, CompiledForm>();

/**
 * Compiles a form once (rules + ajv 2020 validator) and caches it per object and per id+hash,
 * so request handlers never compile a schema. Throws `FormDefinitionError` on a bad definition.
 * @example const compiled = compileForm(form); validateFormData(compiled, body, { now });
 */
export function compileForm(form: FormDefinition): CompiledForm {
  const cached = byObject.get(form);
  if (cached) return cached;
  const hash = fnv1a(JSON.stringify(form));
  const key = `${form.id}#${hash}`;
  const hit = byHash.get(key);
  if (hit) {
    byObject.set(form, hit);
    return hit;
  }
  const built = build(form);
  if (built.issues.length || !built.compiled) throw new FormDefinitionError(form.id, built.issues);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(built.compiled.ajvSchema);
  } catch (cause) {
    throw new FormDefinitionError(form.id, [schemaIssue(form, cause)], { cause });
  }
  const { ajvSchema: _unused, ...rest } = built.compiled;
  const compiled: CompiledForm = Object.freeze({ ...rest, hash, validate });
  byObject.set(form, compiled);
  byHash.set(key, compiled);
  return compiled;
}
