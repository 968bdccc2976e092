import { Optional } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { ExprError } from './errors.ts';
import { LIMITS } from './budget.ts';

type Counter = { values: number };

function overBudget(en: string, zh: string): ExprError {
  return new ExprError('budget', { zh, en });
}

/**
 * Plain JSON (plus Date) → CEL values: integral numbers become int (BigInt), objects become
 * prototype-less maps holding only own enumerable data, anything else (functions, class
 * instances) becomes null so no JS behaviour leaks into an expression.
 */
export function toCel(value: unknown, counter: Counter = { values: 0 }, depth = 0): unknown {
  if (++counter.values > LIMITS.maxInputValues) {
    throw overBudget(`Variables hold more than ${LIMITS.maxInputValues} values`, `变量中的值超过 ${LIMITS.maxInputValues} 个`);
  }
  if (depth > LIMITS.maxInputDepth) {
    throw overBudget(`Variables nest deeper than ${LIMITS.maxInputDepth}`, `变量嵌套超过 ${LIMITS.maxInputDepth} 层`);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'undefined':
      return null;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
      if (value instanceof Duration) return value;
      if (Array.isArray(value)) return value.map((v) => toCel(v, counter, depth + 1));
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return null;
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v !== undefined && typeof v !== 'function') out[key] = toCel(v, counter, depth + 1);
      }
      return out;
    }
    default:
      return null;
  }
}

/**
 * CEL result → plain JS: int → number when safe (else BigInt stays), duration → milliseconds,
 * timestamp → Date, maps → plain objects, optional → its value or null.
 */
export function fromCel(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    case 'object': {
      if (value === null || value instanceof Date || value instanceof Uint8Array) return value;
      if (value instanceof Duration) return Number(value.seconds) * 1000 + Math.trunc(value.nanos / 1_000_000);
      if (value instanceof UnsignedInt) return fromCel(value.valueOf());
      if (value instanceof Optional) return value.hasValue() ? fromCel(value.value()) : null;
      if (Array.isArray(value)) return value.map(fromCel);
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) Object.defineProperty(out, String(k), { value: fromCel(v), enumerable: true, writable: true, configurable: true });
        return out;
      }
      if (value instanceof Set) return [...value].map(fromCel);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        Object.defineProperty(out, key, { value: fromCel((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      return value;
  }
}
