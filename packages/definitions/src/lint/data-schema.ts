import type { FieldSchema, Params } from '../generated/index.ts';
import { compileDataSchema } from '../ajv.ts';
import { finding, type Finding } from '../finding.ts';
import { patternProblem } from '@estateflow/expr';

/**
 * Largest maxLength of a patterned string. The engine is linear, so this bounds the time of one
 * match (input length × program size) rather than preventing a stall.
 */
export const MAX_PATTERNED_LENGTH = 1_000;

type Path = (string | number)[];

/** Every pattern must compile on the linear-time engine and have a maxLength cap; enum/const/default must fit their type. */
export function lintFieldSchema(schema: FieldSchema, path: Path, file: string): Finding[] {
  const out: Finding[] = [];
  const visit = (s: Record<string, unknown>, at: Path): void => {
    if (typeof s['pattern'] === 'string') {
      const problem = patternProblem(s['pattern']);
      if (problem) out.push(finding('unsupported-pattern', file, [...at, 'pattern'], problem.zh, problem.en));
      const max = s['maxLength'];
      if (typeof max !== 'number') {
        out.push(finding('pattern-without-max-length', file, [...at, 'pattern'], `有 pattern 的字段必须设置 maxLength（不超过 ${MAX_PATTERNED_LENGTH}）`, `A field with a pattern must set maxLength (at most ${MAX_PATTERNED_LENGTH})`));
      } else if (max > MAX_PATTERNED_LENGTH) {
        out.push(finding('pattern-without-max-length', file, [...at, 'maxLength'], `有 pattern 的字段 maxLength 不能超过 ${MAX_PATTERNED_LENGTH}`, `A field with a pattern may have maxLength at most ${MAX_PATTERNED_LENGTH}`));
      }
    }
    const props = s['properties'];
    if (props && typeof props === 'object') {
      for (const [k, v] of Object.entries(props)) visit(v as Record<string, unknown>, [...at, 'properties', k]);
      const required = s['required'];
      if (Array.isArray(required)) {
        required.forEach((r, i) => {
          if (typeof r === 'string' && !(r in props)) out.push(finding('unknown-field', file, [...at, 'required', i], `必填字段 "${r}" 未在 properties 中定义`, `Required field "${r}" is not defined in properties`));
        });
      }
    }
    const items = s['items'];
    if (items && typeof items === 'object') visit(items as Record<string, unknown>, [...at, 'items']);
    const min = s['minimum'], max = s['maximum'];
    if (typeof min === 'number' && typeof max === 'number' && min > max) out.push(finding('empty-range', file, at, `minimum（${min}）大于 maximum（${max}）`, `minimum (${min}) is greater than maximum (${max})`));
    const minL = s['minLength'], maxL = s['maxLength'];
    if (typeof minL === 'number' && typeof maxL === 'number' && minL > maxL) out.push(finding('empty-range', file, at, `minLength（${minL}）大于 maxLength（${maxL}）`, `minLength (${minL}) is greater than maxLength (${maxL})`));
  };
  visit(schema as Record<string, unknown>, path);
  if (out.length === 0) {
    try {
      compileDataSchema(schema as object);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      out.push(finding('invalid-data-schema', file, path, `数据模式无法编译：${detail}`, `The data schema does not compile: ${detail}`));
    }
  }
  return out;
}

/**
 * Lints parameter schemas and checks each default against its schema. A default must say where its
 * number comes from (`default-without-source`, warning): requirement ids in `source`, or
 * `defaultNotInDocuments` with the reason when the field documents give no number.
 */
export function lintParams(params: Params | undefined, path: Path, file: string): Finding[] {
  const out: Finding[] = [];
  for (const [name, p] of Object.entries(params ?? {})) {
    const at = [...path, name];
    const schemaFindings = lintFieldSchema(p.schema, [...at, 'schema'], file);
    out.push(...schemaFindings);
    if (schemaFindings.length === 0 && 'default' in p) {
      const v = compileDataSchema(p.schema as object);
      if (!v(p.default)) out.push(finding('invalid-default', file, [...at, 'default'], `参数 "${name}" 的默认值不符合其模式：${v.errors?.[0]?.message ?? ''}`, `The default of parameter "${name}" does not fit its schema: ${v.errors?.[0]?.message ?? ''}`));
    }
    if ('default' in p && !(p.source?.length) && !p.defaultNotInDocuments) {
      out.push(finding('default-without-source', file, [...at, 'default'],
        `参数 "${name}" 的默认值没有出处：在 source 写明需求编号，或在 defaultNotInDocuments 写一句为何取此数（现场文件未给出）`,
        `The default of parameter "${name}" cites no source: put the requirement ids in "source", or one line in "defaultNotInDocuments" saying why this number (the field documents give none)`, 'warning'));
    }
  }
  return out;
}
