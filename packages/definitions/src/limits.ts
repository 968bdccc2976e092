import { finding, type Finding } from './finding.ts';

/** Bounds checked before any schema validation, so hostile input cannot exhaust memory or time. */
export const LIMITS = {
  maxDocumentBytes: 1024 * 1024,
  maxDepth: 64,
  maxArrayLength: 2_000,
  maxObjectKeys: 1_000,
  maxStringLength: 100_000,
  maxKeyLength: 256,
  maxNodes: 200_000,
  maxFindings: 50,
} as const;

/**
 * The largest money amount any input carries, in fen: 100,000,000 yuan (1 亿元; not in the field
 * documents, far above any fee, price, payment or charge of an estate). Fee schedules and billing
 * plans (their schemas' `maximum`), money fields of forms, and the billing API's payments and
 * adjustments all hold to it. Why: every amount within it, a sum of up to 900,000 of them stays
 * an exact integer below 2^53 fen, and the billing package sums in BigInt and refuses, never
 * rounds, a total outside the safe range (`toFen`).
 */
export const MAX_AMOUNT_FEN = 10_000_000_000;

/** Keys that could reach `Object.prototype` when a definition is merged or spread. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks a parsed JSON value iteratively (no recursion, so depth cannot overflow the stack) and
 * reports every bound it breaks; stops after `maxFindings`.
 */
export function checkLimits(doc: unknown, file: string): Finding[] {
  const out: Finding[] = [];
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value: doc, path: [], depth: 0 }];
  let nodes = 0;
  let bytes = 0;
  while (stack.length > 0 && out.length < LIMITS.maxFindings) {
    const { value, path, depth } = stack.pop()!;
    nodes++;
    if (nodes > LIMITS.maxNodes) {
      out.push(finding('limit-nodes', file, [], `文档的值过多（超过 ${LIMITS.maxNodes} 个）`, `The document has more than ${LIMITS.maxNodes} values`));
      break;
    }
    if (typeof value === 'string') {
      bytes += value.length;
      if (value.length > LIMITS.maxStringLength) {
        out.push(finding('limit-string', file, path, `字符串过长（${value.length} 个字符，上限 ${LIMITS.maxStringLength}）`, `String too long (${value.length} characters, limit ${LIMITS.maxStringLength})`));
      }
    } else if (typeof value === 'number') {
      bytes += 8;
      if (!Number.isFinite(value)) out.push(finding('limit-number', file, path, '数值必须是有限数', 'Numbers must be finite'));
    } else if (value !== null && typeof value === 'object') {
      if (depth >= LIMITS.maxDepth) {
        out.push(finding('limit-depth', file, path, `嵌套过深（上限 ${LIMITS.maxDepth} 层）`, `Nested too deeply (limit ${LIMITS.maxDepth} levels)`));
        continue;
      }
      if (Array.isArray(value)) {
        if (value.length > LIMITS.maxArrayLength) {
          out.push(finding('limit-array', file, path, `数组过长（${value.length} 项，上限 ${LIMITS.maxArrayLength}）`, `Array too long (${value.length} items, limit ${LIMITS.maxArrayLength})`));
          continue;
        }
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i], depth: depth + 1 });
      } else {
        const keys = Object.keys(value);
        if (keys.length > LIMITS.maxObjectKeys) {
          out.push(finding('limit-keys', file, path, `对象的键过多（${keys.length} 个，上限 ${LIMITS.maxObjectKeys}）`, `Too many keys (${keys.length}, limit ${LIMITS.maxObjectKeys})`));
          continue;
        }
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i]!;
          bytes += key.length;
          if (FORBIDDEN_KEYS.has(key)) {
            out.push(finding('forbidden-key', file, [...path, key], `不允许使用键 "${key}"`, `The key "${key}" is not allowed`));
            continue;
          }
          if (key.length > LIMITS.maxKeyLength) {
            out.push(finding('limit-key', file, path, `键过长（${key.length} 个字符，上限 ${LIMITS.maxKeyLength}）`, `Key too long (${key.length} characters, limit ${LIMITS.maxKeyLength})`));
            continue;
          }
          stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
        }
      }
    } else if (value !== null && typeof value !== 'boolean') {
      out.push(finding('not-json', file, path, `不是 JSON 值（${typeof value}）`, `Not a JSON value (${typeof value})`));
    }
    if (bytes > LIMITS.maxDocumentBytes) {
      out.push(finding('limit-size', file, [], `文档过大（上限 ${LIMITS.maxDocumentBytes} 字节）`, `The document is too large (limit ${LIMITS.maxDocumentBytes} bytes)`));
      break;
    }
  }
  return out;
}

/** Parses JSON text after checking its size; a syntax error becomes a finding, never an exception. */
export function parseJson(text: string, file: string): { ok: true; doc: unknown } | { ok: false; findings: Finding[] } {
  if (text.length > LIMITS.maxDocumentBytes || (text.length * 3 > LIMITS.maxDocumentBytes && new TextEncoder().encode(text).length > LIMITS.maxDocumentBytes)) {
    return { ok: false, findings: [finding('limit-size', file, '', `文件过大（上限 ${LIMITS.maxDocumentBytes} 字节）`, `The file is too large (limit ${LIMITS.maxDocumentBytes} bytes)`)] };
  }
  try {
    return { ok: true, doc: JSON.parse(text) as unknown };
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return { ok: false, findings: [finding('json-syntax', file, '', `不是有效的 JSON：${detail}`, `Not valid JSON: ${detail}`)] };
  }
}
