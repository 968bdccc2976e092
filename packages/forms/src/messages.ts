import { formatYuan } from '@estateflow/expr';
import type { Text } from './form-definition.ts';

/** A validation keyword we explain to users (ajv's, plus our own `size`). */
export type ErrorKeyword =
  | 'required' | 'type' | 'minLength' | 'maxLength' | 'pattern' | 'format' | 'minimum' | 'maximum'
  | 'exclusiveMinimum' | 'exclusiveMaximum' | 'multipleOf' | 'enum' | 'const' | 'minItems' | 'maxItems'
  | 'uniqueItems' | 'size' | 'computed';

export type MessageContext = {
  label: Text;
  /** money fields print limits in yuan */
  money: boolean;
  params: Record<string, unknown>;
};

const TYPE_NAMES: Record<string, Text> = {
  string: { zh: '文本', en: 'text' },
  integer: { zh: '整数', en: 'a whole number' },
  number: { zh: '数字', en: 'a number' },
  boolean: { zh: '是或否', en: 'yes or no' },
  array: { zh: '列表', en: 'a list' },
  object: { zh: '一组字段', en: 'a group of fields' },
};

const FORMAT_NAMES: Record<string, Text> = {
  date: { zh: '日期（如 2026-03-01）', en: 'a date (like 2026-03-01)' },
  'date-time': { zh: '带时区的日期时间（如 2026-03-01T10:00:00+08:00）', en: 'a date and time with offset (like 2026-03-01T10:00:00+08:00)' },
  time: { zh: '时间（如 17:30）', en: 'a time (like 17:30)' },
  email: { zh: '电子邮箱地址', en: 'an e-mail address' },
  uri: { zh: '网址', en: 'a web address' },
  uuid: { zh: 'UUID', en: 'a UUID' },
};

function limit(value: unknown, money: boolean): Text {
  if (money && typeof value === 'number' && Number.isSafeInteger(value)) {
    const yuan = formatYuan(BigInt(value));
    return { zh: `${yuan} 元`, en: `¥${yuan}` };
  }
  return { zh: String(value), en: String(value) };
}

function body(keyword: string, ctx: MessageContext): Text {
  const p = ctx.params;
  switch (keyword) {
    case 'required':
      return { zh: '必填项', en: 'this field is required' };
    case 'type': {
      if (ctx.money) return { zh: '金额须为整数（单位：分）', en: 'must be a whole number of fen' };
      const t = TYPE_NAMES[String(p['type'])] ?? { zh: String(p['type']), en: String(p['type']) };
      return { zh: `应为${t.zh}`, en: `must be ${t.en}` };
    }
    case 'minLength':
      return { zh: `至少 ${String(p['limit'])} 个字符`, en: `at least ${String(p['limit'])} characters` };
    case 'maxLength':
      return { zh: `最多 ${String(p['limit'])} 个字符`, en: `at most ${String(p['limit'])} characters` };
    case 'pattern':
      return { zh: '格式不正确', en: 'has an invalid format' };
    case 'format': {
      const f = FORMAT_NAMES[String(p['format'])] ?? { zh: '规定格式', en: 'in the expected format' };
      return { zh: `应为${f.zh}`, en: `must be ${f.en}` };
    }
    case 'minimum': {
      const l = limit(p['limit'], ctx.money);
      return { zh: `不能小于 ${l.zh}`, en: `must be at least ${l.en}` };
    }
    case 'maximum': {
      const l = limit(p['limit'], ctx.money);
      return { zh: `不能大于 ${l.zh}`, en: `must be at most ${l.en}` };
    }
    case 'exclusiveMinimum': {
      const l = limit(p['limit'], ctx.money);
      return { zh: `必须大于 ${l.zh}`, en: `must be more than ${l.en}` };
    }
    case 'exclusiveMaximum': {
      const l = limit(p['limit'], ctx.money);
      return { zh: `必须小于 ${l.zh}`, en: `must be less than ${l.en}` };
    }
    case 'multipleOf':
      return { zh: `必须是 ${String(p['multipleOf'])} 的倍数`, en: `must be a multiple of ${String(p['multipleOf'])}` };
    case 'enum':
      return { zh: '请从给定选项中选择', en: 'choose one of the options' };
    case 'const':
      return { zh: '取值不正确', en: 'has an unexpected value' };
    case 'minItems':
      return { zh: `至少 ${String(p['limit'])} 项`, en: `needs at least ${String(p['limit'])} items` };
    case 'maxItems':
      return { zh: `最多 ${String(p['limit'])} 项`, en: `allows at most ${String(p['limit'])} items` };
    case 'uniqueItems':
      return { zh: '不能有重复项', en: 'must not contain duplicates' };
    case 'size':
      return { zh: '数据过大或嵌套过深', en: 'is too large or nested too deeply' };
    case 'computed':
      return { zh: `无法计算，请先填写它用到的字段（${String(p['zh'] ?? '')}）`, en: `cannot be computed; fill in the fields it uses first (${String(p['en'] ?? '')})` };
    default:
      return { zh: '不符合要求', en: 'is invalid' };
  }
}

/** "物品名称：最多 100 个字符" / "Item: at most 100 characters". */
export function defaultMessage(keyword: string, ctx: MessageContext): Text {
  const b = body(keyword, ctx);
  return { zh: `${ctx.label.zh}：${b.zh}`, en: `${ctx.label.en}: ${b.en}` };
}
