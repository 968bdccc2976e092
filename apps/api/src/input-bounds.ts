/**
 * One guard on every request's input, before any handler reads it: the body's size, the JSON it
 * holds (parsed once, then walked without recursion: nesting depth, NUL characters and lone
 * surrogates in keys and strings), and the URL (path segments and query parameters, `limit` and
 * `offset` bounded). PostgreSQL stores no NUL in text or jsonb and no lone surrogate, and a
 * recursive walk over JSON nested 10,000 deep overflows the stack: each was a 500 before.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { LIMITS } from '@estateflow/definitions';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';

export interface InputBounds {
  /** largest JSON request body in bytes (env EF_BODY_MAX_BYTES, default 1 MiB; uploads keep `attachmentMaxBytes`) */
  bodyMaxBytes: number;
  /** deepest nesting of objects and arrays in a JSON body (default: the definitions' own `LIMITS.maxDepth`, 64; the deepest catalogue definition has 13) */
  jsonMaxDepth: number;
}

/** Defaults: not in the field documents. 1 MiB holds the largest catalogue bundle (about 190 KB) five times over. */
export const defaultInputBounds = (): InputBounds => ({
  bodyMaxBytes: Number(process.env.EF_BODY_MAX_BYTES) || 1024 * 1024,
  jsonMaxDepth: LIMITS.maxDepth,
});

/** Query parameters that page a list: whole numbers in these ranges (a larger page is refused, not cut). */
export const pageBounds: Record<string, { min: number; max: number }> = {
  limit: { min: 1, max: 200 },
  offset: { min: 0, max: 1_000_000_000 },
};

/** A NUL character or a lone (unpaired) UTF-16 surrogate. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const badChar = /[\u0000\p{Cs}]/u;

/** A pointer segment as people can read it: control characters escaped, long ones cut. */
const shown = (s: string): string => {
  const escaped = JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"');
  return escaped.length > 40 ? `${escaped.slice(0, 40)}…` : escaped;
};
const pointer = (segments: readonly string[]): string => {
  const parts = segments.map((s) => shown(s.replace(/~/g, '~0').replace(/\//g, '~1')));
  return parts.length > 8 ? `/${parts.slice(0, 8).join('/')}/…` : parts.map((p) => `/${p}`).join('');
};

function badText(where: 'field' | 'query' | 'path', name: string, value: string): ApiError {
  const nul = value.includes('\u0000');
  const zhWhere = where === 'field' ? `字段“${name}”` : where === 'query' ? `查询参数“${name}”` : `路径“${name}”`;
  const enWhere = where === 'field' ? `Field "${name}"` : where === 'query' ? `Query parameter "${name}"` : `Path "${name}"`;
  const text = nul
    ? { zh: `${zhWhere}含有空字符（U+0000），请删除后重试`, en: `${enWhere} contains a NUL character (U+0000); remove it and try again` }
    : { zh: `${zhWhere}含有无效的 Unicode 字符（孤立的代理项），请检查输入`, en: `${enWhere} contains invalid Unicode (a lone surrogate); check the input` };
  return new ApiError('invalid-request', text, where === 'field' ? { field: name, path: name } : { field: name });
}

const tooDeep = (at: string, max: number): ApiError =>
  new ApiError('invalid-request', {
    zh: `请求体嵌套过深：在“${at}”超过 ${max} 层`,
    en: `The request body is nested too deeply: more than ${max} levels at "${at}"`,
  }, { field: at, path: at });

const notJson = (cause?: unknown): ApiError =>
  new ApiError('invalid-request', { zh: '请求体不是有效的 JSON', en: 'The request body is not valid JSON' }, { cause });

/**
 * Throws a 400 naming the first string or key (by JSON pointer) that holds a NUL or a lone
 * surrogate, or the first place nested deeper than `maxDepth`. Iterative: any input is safe.
 */
export function checkJson(value: unknown, maxDepth: number): void {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (badChar.test(v)) throw badText('field', pointer(path), v);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= maxDepth) throw tooDeep(pointer(path), maxDepth);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, String(i)] });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i]!;
      if (badChar.test(k)) throw badText('field', pointer([...path, k]), k);
      stack.push({ value: child, path: [...path, k] });
    }
  }
}

/** Parses a JSON request body and checks it (`checkJson`); malformed JSON is a 400. */
export function parseJsonBody(raw: string, maxDepth: number): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw notJson(cause);
  }
  checkJson(parsed, maxDepth);
  return parsed;
}

/** The URL's path segments and query parameters: no NUL or lone surrogate, `limit`/`offset` in range. */
function checkUrl(c: Context<AppEnv>): void {
  const url = new URL(c.req.url);
  for (const segment of url.pathname.split('/')) {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // a malformed escape names no row; the route answers it
    }
    if (badChar.test(decoded)) throw badText('path', shown(decoded), decoded);
  }
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (badChar.test(key)) throw badText('query', shown(key), key);
    for (const value of values) {
      if (badChar.test(value)) throw badText('query', key, value);
      const page = pageBounds[key];
      if (page && !(/^\d{1,10}$/.test(value) && Number(value) >= page.min && Number(value) <= page.max)) {
        throw new ApiError('invalid-request', {
          zh: `查询参数“${key}”必须是 ${page.min} 到 ${page.max} 之间的整数`,
          en: `Query parameter "${key}" must be a whole number from ${page.min} to ${page.max}`,
        }, { field: key });
      }
    }
  }
}

const tooLarge = (max: number): ApiError => {
  const size = max % (1024 * 1024) === 0 ? `${max / 1024 / 1024} MiB` : `${Math.round(max / 1024)} KiB`;
  return new ApiError('too-large', { zh: `请求体过大：上限为 ${size}`, en: `The request body is too large: the limit is ${size}` }, { field: 'body' });
};

/**
 * The middleware: the URL checked; then, except on `fileBodyPaths` (uploads, which read their own
 * bytes with their own limit), a body larger than `bodyMaxBytes` is 413 (Hono's `bodyLimit`: the
 * declared length, or counted while streaming), and a JSON body is parsed and checked once. The
 * text is kept for the idempotency hash (`rawBody`), the value for `readBody` (`jsonBody`).
 */
export function inputBounds(bounds: InputBounds, fileBodyPaths: ReadonlySet<string>): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({ maxSize: bounds.bodyMaxBytes, onError: () => { throw tooLarge(bounds.bodyMaxBytes); } });
  return async (c, next) => {
    checkUrl(c);
    if (fileBodyPaths.has(c.req.path) || !c.req.raw.body) return next();
    return limit(c, async () => {
      const raw = await c.req.text();
      c.set('rawBody', raw);
      if (raw.trim() !== '') c.set('jsonBody', parseJsonBody(raw, bounds.jsonMaxDepth));
      await next();
    });
  };
}
