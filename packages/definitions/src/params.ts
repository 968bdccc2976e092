/**
 * A parameter's value checked against its own schema: one check for the designer (as it is typed)
 * and the server (at install), with zh/en messages that name the parameter by its title and state
 * money limits in yuan. A parameter's kind comes from its schema and its name's unit suffix
 * (`…Fen` money, `…Minutes`/`…Hours`/`…Days`… durations, `…Percent`, `…PerMille`).
 */
import { formatYuan } from '@estateflow/expr';
import { compileDataSchema } from './ajv.ts';
import type { LocalText } from './finding.ts';

export type ParamKind = 'money' | 'duration' | 'percent' | 'permille' | 'integer' | 'number' | 'enum' | 'boolean' | 'time' | 'string';
export type ParamSchema = { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; pattern?: string; maxLength?: number; minLength?: number; multipleOf?: number };

const UNITS: [RegExp, LocalText][] = [
  [/Minutes$/, { zh: '分钟', en: 'minutes' }],
  [/Hours$/, { zh: '小时', en: 'hours' }],
  [/Days$/, { zh: '天', en: 'days' }],
  [/Weeks$/, { zh: '周', en: 'weeks' }],
  [/Months$/, { zh: '个月', en: 'months' }],
  [/Years$/, { zh: '年', en: 'years' }],
];
const TIME_PATTERN = /^\^\(\[01\]\[0-9\]\|2\[0-3\]\):\[0-5\]\[0-9\]\$$/;

/** A parameter's kind and unit, from its schema and its name's suffix. */
export function paramKind(name: string, schema: ParamSchema): { kind: ParamKind; unit?: LocalText } {
  if (schema.enum) return { kind: 'enum' };
  if (schema.type === 'boolean') return { kind: 'boolean' };
  if (schema.type === 'integer' || schema.type === 'number') {
    if (/Fen$/.test(name)) return { kind: 'money', unit: { zh: '元', en: 'yuan' } };
    const unit = UNITS.find(([re]) => re.test(name));
    if (unit) return { kind: 'duration', unit: unit[1] };
    if (/Percent$/i.test(name)) return { kind: 'percent', unit: { zh: '%', en: '%' } };
    if (/PerMille$/i.test(name)) return { kind: 'permille', unit: { zh: '‰', en: '‰' } };
    return { kind: schema.type === 'integer' ? 'integer' : 'number' };
  }
  if (schema.type === 'string' && schema.pattern && TIME_PATTERN.test(schema.pattern)) return { kind: 'time' };
  return { kind: 'string' };
}

/** A stored number as a person reads it: money (integer fen) in yuan with two places, others as they are. */
export function paramNumberShown(kind: ParamKind, stored: number): string {
  return kind === 'money' && Number.isSafeInteger(stored) ? formatYuan(BigInt(stored)) : String(stored);
}

/** Checks a value against the parameter's schema; null when valid. Money limits are stated in yuan. */
export function checkParamValue(param: { name: string; title: LocalText; schema: ParamSchema }, value: unknown): LocalText | null {
  // a plain copy: the designer edits the schema object in place, and ajv caches a compiled schema by its object
  const validate = compileDataSchema(JSON.parse(JSON.stringify(param.schema)) as object);
  if (validate(value)) return null;
  const { kind } = paramKind(param.name, param.schema);
  const e = validate.errors?.[0];
  const name = `“${param.title.zh}”（${param.name}）`;
  const nameEn = `"${param.title.en}" (${param.name})`;
  const show = (n: unknown) => (kind === 'money' && typeof n === 'number' ? `¥${paramNumberShown(kind, n)}` : String(n));
  const limit = (e?.params as { limit?: unknown } | undefined)?.limit;
  switch (e?.keyword) {
    case 'minimum':
    case 'exclusiveMinimum':
      return { zh: `${name} 不能小于${e.keyword === 'exclusiveMinimum' ? '或等于' : ''} ${show(limit)}`, en: `${nameEn} must be ${e.keyword === 'exclusiveMinimum' ? 'more than' : 'at least'} ${show(limit)}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { zh: `${name} 不能大于${e.keyword === 'exclusiveMaximum' ? '或等于' : ''} ${show(limit)}`, en: `${nameEn} must be ${e.keyword === 'exclusiveMaximum' ? 'less than' : 'at most'} ${show(limit)}` };
    case 'multipleOf':
      return { zh: `${name} 须为 ${show((e.params as { multipleOf?: unknown }).multipleOf)} 的整数倍`, en: `${nameEn} must be a multiple of ${show((e.params as { multipleOf?: unknown }).multipleOf)}` };
    case 'enum':
      return { zh: `${name} 须为 ${(param.schema.enum ?? []).join('、')} 之一`, en: `${nameEn} must be one of ${(param.schema.enum ?? []).join(', ')}` };
    case 'pattern':
      return { zh: `${name} 格式不正确`, en: `${nameEn} is not in the expected format` };
    case 'type':
      return { zh: `${name} 类型应为 ${param.schema.type}`, en: `${nameEn} must be of type ${param.schema.type}` };
    default:
      return { zh: `${name} 无效（${e?.message ?? ''}）`, en: `${nameEn} is invalid (${e?.message ?? ''})` };
  }
}
