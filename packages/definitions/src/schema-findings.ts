import type { ErrorObject } from 'ajv';
import { ACTION_TYPES } from './vocabulary.ts';
import { suggestion } from './did-you-mean.ts';
import { finding, pointer as toPointer, type Finding } from './finding.ts';

const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
const list = (xs: readonly unknown[]): string => xs.map((x) => JSON.stringify(x)).join(', ');
const show = (x: unknown): string => {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
};

/**
 * Keeps the errors that say the most. Inside an `anyOf`/`oneOf`, every failed branch reports; the
 * branch that got deepest is almost always the one the author meant, so shallow branch mismatches
 * (`type`, `const`, `required`, …) are dropped when a deeper error exists, and the union's own
 * error is dropped when anything more precise remains. Type errors at one path are merged.
 */
function prune(errors: readonly ErrorObject[]): ErrorObject[] {
  const unionKeywords = new Set(['anyOf', 'oneOf']);
  const unions = errors.filter((e) => unionKeywords.has(e.keyword));
  const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(prefix + '/');
  const deeper = (e: ErrorObject, pool: readonly ErrorObject[]): boolean => pool.some((o) => o !== e && o.instancePath.length > e.instancePath.length && under(o.instancePath, e.instancePath));
  const branchNoise = new Set(['type', 'const', 'enum', 'required', 'additionalProperties', 'discriminator']);
  let kept = errors.filter((e) => {
    if (unionKeywords.has(e.keyword)) return true;
    if (!branchNoise.has(e.keyword)) return true;
    const inUnion = unions.some((u) => under(e.instancePath, u.instancePath));
    if (!inUnion) return true;
    if (deeper(e, errors)) return false;
    if (e.keyword === 'type') return !errors.some((o) => o !== e && o.instancePath === e.instancePath && !unionKeywords.has(o.keyword) && o.keyword !== 'type' && o.keyword !== 'discriminator');
    return true;
  });
  kept = kept.filter((e) => !unionKeywords.has(e.keyword) || !kept.some((o) => o !== e && !unionKeywords.has(o.keyword) && under(o.instancePath, e.instancePath)));
  kept = kept.filter((e) => e.keyword !== 'discriminator' || !kept.some((o) => o !== e && under(o.instancePath, e.instancePath)));
  const types = new Map<string, ErrorObject>();
  const seen = new Set<string>();
  return kept.filter((e) => {
    if (e.keyword === 'type') {
      const prev = types.get(e.instancePath);
      if (prev) {
        const t = (prev.params as { type: string }).type.split(',');
        for (const x of String((e.params as { type: string }).type).split(',')) if (!t.includes(x)) t.push(x);
        (prev.params as { type: string }).type = t.join(',');
        return false;
      }
      types.set(e.instancePath, e);
    }
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Turns ajv errors into findings with zh/en messages naming the field and, for typos, the likely intent. */
export function schemaFindings(errors: readonly ErrorObject[], file: string, max = 20): Finding[] {
  const out: Finding[] = [];
  for (const e of prune(errors).slice(0, max)) out.push(one(e, file));
  return out;
}

function one(e: ErrorObject, file: string): Finding {
  const at = e.instancePath;
  const p = e.params as Record<string, unknown>;
  const rule = `schema/${e.keyword}`;
  switch (e.keyword) {
    case 'required': {
      const name = String(p['missingProperty']);
      return finding(rule, file, at, `缺少必填字段 "${name}"`, `Missing required property "${name}"`);
    }
    case 'additionalProperties': {
      const name = String(p['additionalProperty']);
      const known = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties) ?? {});
      const s = suggestion(name, known);
      return finding('schema/unknown-property', file, `${at}/${escape(name)}`, `不认识的字段 "${name}"${s.zh}`, `Unknown property "${name}"${s.en}`);
    }
    case 'enum': {
      const allowed = (p['allowedValues'] as unknown[]) ?? [];
      const value = e.data;
      if (at.endsWith('/type') && allowed.length === ACTION_TYPES.length && ACTION_TYPES.every((a) => allowed.includes(a))) {
        const s = suggestion(String(value), ACTION_TYPES);
        return finding('unknown-action', file, at, `未知动作 ${show(value)}${s.zh || `；可用动作：${ACTION_TYPES.join('、')}`}`, `Unknown action ${show(value)}${s.en || `; known actions: ${ACTION_TYPES.join(', ')}`}`);
      }
      const s = typeof value === 'string' ? suggestion(value, allowed.map(String)) : { zh: '', en: '' };
      return finding(rule, file, at, `值 ${show(value)} 不在允许范围内：${list(allowed)}${s.zh}`, `Value ${show(value)} must be one of ${list(allowed)}${s.en}`);
    }
    case 'const':
      return finding(rule, file, at, `值必须是 ${show(p['allowedValue'])}`, `Value must be ${show(p['allowedValue'])}`);
    case 'type':
      return finding(rule, file, at, `类型应为 ${String(p['type'])}，实际为 ${show(e.data)}`, `Must be of type ${String(p['type'])}, got ${show(e.data)}`);
    case 'pattern':
      return finding(rule, file, at, `${show(e.data)} 格式不正确（应匹配 ${String(p['pattern'])}）`, `${show(e.data)} does not match ${String(p['pattern'])}`);
    case 'format':
      return finding(rule, file, at, `${show(e.data)} 不是有效的 ${String(p['format'])}`, `${show(e.data)} is not a valid ${String(p['format'])}`);
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return finding(rule, file, at, `超过上限 ${String(p['limit'])}（${e.keyword}）`, `More than the limit of ${String(p['limit'])} (${e.keyword})`);
    case 'minLength':
    case 'minItems':
    case 'minProperties':
      return finding(rule, file, at, `少于下限 ${String(p['limit'])}（${e.keyword}）`, `Fewer than the minimum of ${String(p['limit'])} (${e.keyword})`);
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return finding(rule, file, at, `数值须 ${String(p['comparison'])} ${String(p['limit'])}`, `Must be ${String(p['comparison'])} ${String(p['limit'])}`);
    case 'uniqueItems':
      return finding(rule, file, at, `第 ${String(p['j'])} 项与第 ${String(p['i'])} 项重复`, `Items ${String(p['j'])} and ${String(p['i'])} are duplicates`);
    case 'propertyNames': {
      const name = String(p['propertyName']);
      return finding(rule, file, `${at}/${escape(name)}`, `名称 "${name}" 不合规`, `The name "${name}" is not allowed here`);
    }
    case 'discriminator':
      return finding(rule, file, at + '/type', `"type" 的值 ${show(p['tagValue'])} 无效`, `Invalid "type" ${show(p['tagValue'])}`);
    case 'anyOf':
    case 'oneOf':
      return finding(rule, file, at, `不符合任何允许的形式：${show(e.data)}`, `Does not match any allowed shape: ${show(e.data)}`);
    default:
      return finding(rule, file, at, `不符合模式（${e.keyword}）：${e.message ?? ''}`, `Schema violation (${e.keyword}): ${e.message ?? ''}`);
  }
}

export { toPointer };
