import type { Form } from '../generated/index.ts';
import { suggestion } from '../did-you-mean.ts';
import { finding, type Finding } from '../finding.ts';
import { fullText } from '../texts.ts';
import type { LintContext } from './context.ts';
import { checkExpressions, type ExprSite } from './expressions.ts';
import { lintFieldSchema } from './data-schema.ts';
import { FIGURE_TABLES, isFigureTable, type FigureTable } from '../figures.ts';

type FieldSchemaLike = { type?: unknown; format?: unknown; enum?: unknown[]; items?: { type?: unknown; enum?: unknown[] } };

/** Which data types each widget can edit. */
const WIDGET_TYPES: Record<string, (s: FieldSchemaLike) => boolean> = {
  text: (s) => s.type === 'string',
  textarea: (s) => s.type === 'string',
  number: (s) => s.type === 'integer' || s.type === 'number',
  money: (s) => s.type === 'integer',
  date: (s) => s.type === 'string' && s.format === 'date',
  datetime: (s) => s.type === 'string' && s.format === 'date-time',
  select: (s) => s.type === 'string' || s.type === 'integer' || s.type === 'number',
  radio: (s) => s.type === 'string' || s.type === 'integer' || s.type === 'number' || s.type === 'boolean',
  checkbox: (s) => s.type === 'boolean' || s.type === 'array',
  unit: (s) => s.type === 'string',
  phone: (s) => s.type === 'string',
  photo: (s) => s.type === 'string' || (s.type === 'array' && s.items?.type === 'string'),
  attachment: (s) => s.type === 'string' || (s.type === 'array' && s.items?.type === 'string'),
  signature: (s) => s.type === 'string',
  checklist: (s) => s.type === 'array',
  rating: (s) => s.type === 'integer',
  group: (s) => s.type === 'array' && s.items?.type === 'object',
  staff: (s) => s.type === 'string',
};
const WANTS_OPTIONS = new Set(['select', 'radio', 'checklist']);
const KEYWORD_FOR_ERROR: Record<string, string> = { pattern: 'pattern', format: 'format', minLength: 'minLength', maxLength: 'maxLength', minimum: 'minimum', maximum: 'maximum', enum: 'enum', minItems: 'minItems', maxItems: 'maxItems' };
const DATA_REF = /\bdata\.([A-Za-z_][A-Za-z0-9_]*)/g;
const FEN_ZH = /[（(]分[)）]|按分|单位[：:]\s*分/;
const FEN_EN = /\bfen\b/i;

/** Semantic checks of one schema-valid form: layout against data schema, widgets against types, rules, patterns. */
export function lintForm(form: Form, ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const { file } = ctx;
  const props = form.schema.properties as Record<string, FieldSchemaLike>;
  const names = Object.keys(props);
  out.push(...lintFieldSchema(form.schema as never, ['schema'], file));
  const placed = new Map<string, (string | number)[]>();
  const sectionIds = new Set<string>();
  const sites: ExprSite[] = [];
  const rule = (src: string | undefined, path: (string | number)[]): void => {
    if (src === undefined) return;
    sites.push({ path, source: src, expect: 'bool', scope: 'form' });
    for (const m of src.matchAll(DATA_REF)) {
      if (!(m[1]! in props)) {
        const s = suggestion(m[1]!, names);
        out.push(finding('unknown-field', file, path, `规则引用了不存在的字段 "data.${m[1]}"${s.zh}`, `Rule reads "data.${m[1]}", which is not a field${s.en}`));
      }
    }
  };
  form.layout.sections.forEach((section, si) => {
    const sp = ['layout', 'sections', si];
    if (sectionIds.has(section.id)) out.push(finding('duplicate-id', file, [...sp, 'id'], `分区 id "${section.id}" 重复`, `Section id "${section.id}" is used twice`));
    sectionIds.add(section.id);
    rule(section.visibleWhen, [...sp, 'visibleWhen']);
    section.fields.forEach((f, fi) => {
      const fp = [...sp, 'fields', fi];
      const schema = props[f.field];
      if (!schema) {
        const s = suggestion(f.field, names);
        out.push(finding('unknown-field', file, [...fp, 'field'], `字段 "${f.field}" 未在 schema.properties 中定义${s.zh}`, `Field "${f.field}" is not defined in schema.properties${s.en}`));
        return;
      }
      if (placed.has(f.field)) out.push(finding('duplicate-id', file, [...fp, 'field'], `字段 "${f.field}" 在布局中出现两次`, `Field "${f.field}" appears twice in the layout`));
      placed.set(f.field, fp);
      if (!WIDGET_TYPES[f.widget]!(schema)) {
        out.push(finding('widget-type-mismatch', file, [...fp, 'widget'], `控件 "${f.widget}" 不能编辑类型 ${JSON.stringify(schema.type)}${schema.format ? `（format ${String(schema.format)}）` : ''} 的字段 "${f.field}"`, `Widget "${f.widget}" cannot edit field "${f.field}" of type ${JSON.stringify(schema.type)}${schema.format ? ` (format ${String(schema.format)})` : ''}`));
      }
      // a quote priced from the price list: the server reads code and quantity and writes amountFen and description (PS-10)
      if (f.priceList) {
        const cols = Object.keys((schema.items as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
        const missing = f.widget === 'group' ? ['code', 'quantity', 'description', 'amountFen', 'reason'].filter((k) => !cols.includes(k)) : [];
        if (f.widget !== 'group') out.push(finding('price-list-shape', file, [...fp, 'priceList'], `只有可重复分组（group）能按价目表报价：字段“${f.field}”是 ${f.widget}`, `Only a repeatable group can be priced from the price list: field "${f.field}" is a ${f.widget}`));
        else if (missing.length) out.push(finding('price-list-shape', file, [...fp, 'priceList'], `按价目表报价的分组“${f.field}”缺少列 ${missing.join('、')}`, `Group "${f.field}" priced from the price list lacks the columns ${missing.join(', ')}`));
      }
      // a figure of the month (#22): a table is a group with the table's columns, a single figure is not a group
      if (f.figure) {
        const cols = Object.keys((schema.items as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
        if (isFigureTable(f.figure)) {
          const unknown = cols.filter((c) => !(FIGURE_TABLES[f.figure as FigureTable] as readonly string[]).includes(c));
          if (f.widget !== 'group') out.push(finding('figure-shape', file, [...fp, 'figure'], `表“${f.figure}”须用可重复分组（group）：字段“${f.field}”是 ${f.widget}`, `The table "${f.figure}" needs a repeatable group: field "${f.field}" is a ${f.widget}`));
          else if (unknown.length) out.push(finding('figure-shape', file, [...fp, 'figure'], `表“${f.figure}”没有列 ${unknown.join('、')}（它有：${FIGURE_TABLES[f.figure].join('、')}）`, `The table "${f.figure}" has no columns ${unknown.join(', ')} (it has: ${FIGURE_TABLES[f.figure].join(', ')})`));
        } else if (f.widget === 'group') out.push(finding('figure-shape', file, [...fp, 'figure'], `“${f.figure}”是单个数字，不能用可重复分组`, `"${f.figure}" is a single figure, not a repeatable group`));
      }
      const allowed = schema.enum ?? schema.items?.enum;
      // A checklist over records is a repeating table (rows are the options); over scalars it needs its items listed.
      const tableOfRecords = f.widget === 'checklist' && schema.items?.type === 'object';
      if (WANTS_OPTIONS.has(f.widget) && !f.options && !tableOfRecords) {
        out.push(finding('missing-options', file, fp, `控件 "${f.widget}" 需要 options`, `Widget "${f.widget}" needs options`));
      }
      // every value a person may meet needs words: a value without an option shows raw
      const labelled = new Set((f.options ?? []).map((o) => o.value));
      const unlabelled = (allowed ?? []).filter((v) => !labelled.has(v as never));
      if (unlabelled.length > 0 && !tableOfRecords) {
        out.push(finding('enum-without-label', file, fp, `字段“${f.field}”的取值 ${unlabelled.map((v) => JSON.stringify(v)).join('、')} 没有选项文字（options），界面只能显示原值`, `Field "${f.field}" has no option label for ${unlabelled.map((v) => JSON.stringify(v)).join(', ')}: screens would show the raw value`, 'warning'));
      }
      f.options?.forEach((o, oi) => {
        if (allowed && !allowed.includes(o.value)) out.push(finding('option-not-in-enum', file, [...fp, 'options', oi, 'value'], `选项值 ${JSON.stringify(o.value)} 不在字段 "${f.field}" 的 enum 中`, `Option value ${JSON.stringify(o.value)} is not in the enum of field "${f.field}"`));
      });
      for (const key of Object.keys(f.errors ?? {})) {
        const kw = KEYWORD_FOR_ERROR[key];
        const hasKeyword = kw === undefined || kw in schema || (kw === 'enum' && allowed !== undefined);
        if (!hasKeyword) out.push(finding('unused-error-message', file, [...fp, 'errors', key], `字段 "${f.field}" 没有 ${key} 约束，此错误信息不会出现`, `Field "${f.field}" has no ${key} constraint, so this message never shows`, 'warning'));
      }
      // money is entered and shown in yuan; fen is how it is stored, never words on the screen
      if (f.widget === 'money') {
        for (const key of ['label', 'help', 'placeholder'] as const) {
          const t = fullText(f[key]);
          if (t && (FEN_ZH.test(t.zh) || FEN_EN.test(t.en))) out.push(finding('money-in-fen-text', file, [...fp, key], `金额字段“${f.field}”按元填写和显示，文字里不要写“分”`, `Money field "${f.field}" is entered and shown in yuan: its texts should not speak of fen`, 'warning'));
        }
      }
      rule(f.visibleWhen, [...fp, 'visibleWhen']);
      rule(f.enabledWhen, [...fp, 'enabledWhen']);
      rule(f.requiredWhen, [...fp, 'requiredWhen']);
    });
  });
  for (const name of names) if (!placed.has(name)) out.push(finding('field-not-in-layout', file, ['schema', 'properties', name], `字段 "${name}" 未放入布局，用户无法填写`, `Field "${name}" is not in the layout, so nobody can fill it`, 'warning'));
  out.push(...checkExpressions(sites, file, ctx.params));
  return out;
}
