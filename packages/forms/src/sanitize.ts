import type { FieldSchema, ScalarFieldSchema } from './form-definition.ts';

/** Input bounds beyond the schema's own: nobody fills a form with more than this. */
export const INPUT_LIMITS = { maxValues: 20_000, maxDepth: 6 } as const;

export class InputTooLarge extends Error {
  constructor() {
    super('form data too large');
  }
}

type Budget = { values: number };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a declared field named "__proto__" stays data and never touches a prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Empty inputs (absent, null, "", whitespace-only) count as "not filled". */
export function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

function scalar(v: unknown): unknown {
  // Wrong shapes are kept shallow (an empty array/object) so ajv reports `type` without us
  // copying a hostile structure.
  if (Array.isArray(v)) return [];
  if (typeof v === 'object' && v !== null) return {};
  return v;
}

function copy(value: unknown, schema: FieldSchema | ScalarFieldSchema, budget: Budget, depth: number): unknown {
  if (++budget.values > INPUT_LIMITS.maxValues || depth > INPUT_LIMITS.maxDepth) throw new InputTooLarge();
  switch (schema.type) {
    case 'object': {
      if (!isPlainObject(value)) return scalar(value);
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties)) {
        if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
        const v = value[k];
        if (isEmpty(v)) continue;
        put(out, k, copy(v, s, budget, depth + 1));
      }
      return out;
    }
    case 'array': {
      if (!Array.isArray(value)) return scalar(value);
      // one past maxItems is enough for ajv to report maxItems
      return value.slice(0, schema.maxItems + 1).map((v) => copy(v, schema.items, budget, depth + 1));
    }
    default:
      return scalar(value);
  }
}

/**
 * A fresh plain object holding only the declared properties (records keep only theirs), empty
 * values removed; throws `InputTooLarge` past `INPUT_LIMITS`.
 */
export function sanitize(data: Record<string, unknown>, properties: Readonly<Record<string, FieldSchema>>): Record<string, unknown> {
  const budget: Budget = { values: 0 };
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    if (!Object.prototype.hasOwnProperty.call(data, name)) continue;
    const v = data[name];
    if (isEmpty(v)) continue;
    put(out, name, copy(v, schema, budget, 1));
  }
  return out;
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * JSON pointers of the keys the form does not declare: at the top, inside records, and inside the
 * records of a list (its first `maxItems + 1` rows, as `sanitize` reads). At most `max` of them.
 * Walks only as deep as the form's own schema, so any input is safe.
 */
export function undeclaredFields(data: Record<string, unknown>, properties: Readonly<Record<string, FieldSchema>>, max = 10): string[] {
  const out: string[] = [];
  const keysOf = (value: Record<string, unknown>, declared: Readonly<Record<string, unknown>>, at: string): void => {
    for (const k of Object.keys(value)) {
      if (out.length >= max) return;
      if (!Object.prototype.hasOwnProperty.call(declared, k)) out.push(`${at}/${escapePointer(k)}`);
    }
  };
  keysOf(data, properties, '');
  for (const [name, schema] of Object.entries(properties)) {
    if (!Object.prototype.hasOwnProperty.call(data, name)) continue;
    const v = data[name];
    if (schema.type === 'object' && isPlainObject(v)) keysOf(v, schema.properties, `/${escapePointer(name)}`);
    if (schema.type === 'array' && schema.items.type === 'object' && Array.isArray(v)) {
      const rows = schema.items.properties;
      v.slice(0, schema.maxItems + 1).forEach((row, i) => {
        if (isPlainObject(row)) keysOf(row, rows, `/${escapePointer(name)}/${i}`);
      });
    }
  }
  return out;
}

export { isPlainObject };
