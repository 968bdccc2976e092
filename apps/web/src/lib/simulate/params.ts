/**
 * The workflow's parameters as editable fields for Simulate: each declared param (schemas/common
 * `Params`) with its schema and default, a widget chosen from the schema and the name's unit
 * suffix (`paramKind` of @estateflow/definitions: `…Fen` money shown in yuan, durations, percent,
 * per mille), input parsing, and the one check of a value against its own schema that the server's
 * install runs too (`checkParamValue`), with zh/en messages naming the parameter.
 */
import { yuanToFen } from '@estateflow/billing';
import { checkParamValue, paramKind, paramNumberShown, type ParamKind, type ParamSchema } from '@estateflow/definitions';
import type { Text } from '$lib/i18n/index.svelte.ts';

export type { ParamKind };
type Schema = ParamSchema;
export type Declared = { schema: Schema; default?: unknown; title: Text; description?: Text; source?: string[]; defaultNotInDocuments?: Text };

/**
 * Where a default's number comes from: the requirement ids of the field documents, the reason it is
 * not in them, or nothing declared (`wf validate` warns `default-without-source`).
 */
export type DefaultSource = { kind: 'documents'; ids: string[] } | { kind: 'not-in-documents'; reason: Text } | { kind: 'none' };

export type ParamField = { name: string; title: Text; description?: Text; schema: Schema; kind: ParamKind; unit?: Text; default: unknown; defaultSource: DefaultSource };

/** The source of a declared default: a reason it is not in the field documents wins over ids (which then name the rule the parameter serves). */
export function defaultSourceOf(p: Pick<Declared, 'source' | 'defaultNotInDocuments'>): DefaultSource {
  if (p.defaultNotInDocuments) return { kind: 'not-in-documents', reason: p.defaultNotInDocuments };
  if (p.source?.length) return { kind: 'documents', ids: p.source };
  return { kind: 'none' };
}

/**
 * The declared params of a workflow definition in the key order of `declared`, then `extra` ones
 * it does not declare itself (a bundle's parameters, which the estate's runs also receive).
 */
export function paramFields(declared: Record<string, Declared> | undefined, extra: Record<string, Declared> = {}): ParamField[] {
  const all = { ...extra, ...(declared ?? {}) };
  const names = [...Object.keys(declared ?? {}), ...Object.keys(extra).filter((n) => !(n in (declared ?? {})))];
  return names.map((name) => [name, all[name]!] as const).map(([name, p]) => ({ name, title: p.title, ...(p.description ? { description: p.description } : {}), schema: p.schema, ...paramKind(name, p.schema), default: p.default, defaultSource: defaultSourceOf(p) }));
}

/**
 * Fields in a known declaration order (names missing from it after, by title); with no order, by
 * zh title. A published document is stored as jsonb, which keeps no key order, so the order is only
 * known from elsewhere (a bundle's files).
 */
export function orderFields(fields: readonly ParamField[], order: readonly string[] | null | undefined): ParamField[] {
  const byTitle = (a: ParamField, b: ParamField) => a.title.zh.localeCompare(b.title.zh, 'zh-CN') || a.name.localeCompare(b.name);
  if (!order) return fields.toSorted(byTitle);
  const at = (f: ParamField) => (order.includes(f.name) ? order.indexOf(f.name) : Number.MAX_SAFE_INTEGER);
  return fields.toSorted((a, b) => at(a) - at(b) || byTitle(a, b));
}

/** Where a value comes from: the installed value, the declared default, or an edit in Simulate. */
export type ParamOrigin = 'installed' | 'default' | 'edited';

export function paramOrigin(field: ParamField, value: unknown, installed?: Record<string, unknown> | null): ParamOrigin {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (installed && field.name in installed && same(value, installed[field.name])) return 'installed';
  if (same(value, field.default)) return 'default';
  return 'edited';
}

/** The values a simulation starts from: the defaults, with the installed values over them. */
export function startingValues(fields: readonly ParamField[], installed?: Record<string, unknown> | null): Record<string, unknown> {
  const own = Object.fromEntries(fields.filter((f) => installed && f.name in installed).map((f) => [f.name, installed![f.name]]));
  return { ...defaultValues(fields), ...own };
}

export function defaultValues(fields: readonly ParamField[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default]));
}

/**
 * The one conversion between what a money parameter stores (integer fen: its value and its rules,
 * `minimum`, `maximum`, `multipleOf`…) and what the designer shows and takes (yuan, two decimals),
 * through `paramNumberShown` and packages/billing's `yuanToFen`: strings and integers, never a float.
 * Other kinds pass through as numbers. A stored money number that is not whole fen is shown as is.
 */
export function toShown(field: Pick<ParamField, 'kind'>, stored: number): string {
  return paramNumberShown(field.kind, stored);
}
/** What was typed (yuan for money) as the stored number (fen for money); undefined when it is not a number of that kind. */
export function fromShown(field: Pick<ParamField, 'kind'>, text: string): number | undefined {
  const t = text.trim();
  if (field.kind === 'money') return yuanToFen(t);
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** A numeric schema rule (minimum, maximum, multipleOf…) as typed: blank clears it; money in yuan, stored in fen. */
export function parseRule(field: ParamField, raw: string): { value: number | undefined; error?: undefined } | { value?: undefined; error: Text } {
  if (raw.trim() === '') return { value: undefined };
  const n = fromShown(field, raw);
  if (n !== undefined) return { value: n };
  const name = `“${field.title.zh}”（${field.name}）`;
  const nameEn = `"${field.title.en}" (${field.name})`;
  return field.kind === 'money'
    ? { error: { zh: `${name} 的规则须为金额（元，最多两位小数）`, en: `${nameEn}: a rule must be an amount in yuan with at most two decimals` } }
    : { error: { zh: `${name} 的规则须为数字`, en: `${nameEn}: a rule must be a number` } };
}

/** What the input shows for a stored value: money in yuan with two decimals. */
export function displayValue(field: ParamField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return toShown(field, value);
  return String(value);
}

export type Parsed = { value: unknown; error?: undefined } | { value?: undefined; error: Text };

/** Parses what the user typed (yuan for money) into the stored value, or says why it cannot. */
export function parseInput(field: ParamField, raw: string | boolean): Parsed {
  const name = `“${field.title.zh}”（${field.name}）`;
  const nameEn = `"${field.title.en}" (${field.name})`;
  if (typeof raw === 'boolean') return { value: raw };
  const text = raw.trim();
  if (field.kind === 'enum') {
    const hit = (field.schema.enum ?? []).find((v) => String(v) === text);
    return hit === undefined ? { error: { zh: `${name} 必须是以下之一：${(field.schema.enum ?? []).join('、')}`, en: `${nameEn} must be one of ${(field.schema.enum ?? []).join(', ')}` } } : { value: hit };
  }
  if (field.schema.type === 'string') return { value: raw };
  if (text === '') return { error: { zh: `请填写${name}`, en: `${nameEn} is required` } };
  if (field.kind === 'money') {
    const fen = /^-?\d+(\.\d{1,2})?$/.test(text) ? fromShown(field, text) : undefined;
    if (fen === undefined) return { error: { zh: `${name} 须为金额（元，最多两位小数）`, en: `${nameEn} must be an amount in yuan with at most two decimals` } };
    return { value: fen };
  }
  const n = Number(text);
  if (!Number.isFinite(n)) return { error: { zh: `${name} 须为数字`, en: `${nameEn} must be a number` } };
  if (field.schema.type === 'integer' && !Number.isInteger(n)) return { error: { zh: `${name} 须为整数`, en: `${nameEn} must be a whole number` } };
  return { value: n };
}

/** Checks a value against the param's schema; null when valid (the server's install check is the same function). */
export function checkParam(field: ParamField, value: unknown): Text | null {
  return checkParamValue(field, value);
}

/** Names of params whose value differs from the declared default. */
export function changedFromDefault(fields: readonly ParamField[], values: Record<string, unknown>): string[] {
  return fields.filter((f) => JSON.stringify(values[f.name]) !== JSON.stringify(f.default)).map((f) => f.name);
}
