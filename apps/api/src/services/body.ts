import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { parseJsonBody } from '../input-bounds.ts';

/**
 * The request body as a JSON object: parsed and checked (size, depth, NUL, lone surrogates) once by
 * the `inputBounds` middleware; the idempotency layer hashes the same text.
 */
export async function readBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  let parsed = c.get('jsonBody');
  if (parsed === undefined) {
    let raw = c.get('rawBody');
    if (raw === undefined) {
      raw = await c.req.text();
      c.set('rawBody', raw);
    }
    if (raw.trim() === '') return {};
    parsed = parseJsonBody(raw, c.get('deps').config.inputBounds.jsonMaxDepth);
    c.set('jsonBody', parsed);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError('invalid-request', { zh: '请求体必须是 JSON 对象', en: 'The request body must be a JSON object' });
  }
  return parsed as Record<string, unknown>;
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that are not UUIDs can name no row: answer them as not found rather than a database error. */
export const isUuid = (s: string | undefined): s is string => typeof s === 'string' && uuidRe.test(s);

/** A path parameter (routes are registered with untyped paths, so Hono cannot infer them). */
export function param(c: Context<AppEnv>, name: string): string {
  return c.req.param(name) ?? '';
}

/** Text for a `like` pattern, its wildcards (`%`, `_`) and the escape (`\\`) taken literally. */
export const likeEscaped = (s: string): string => s.replace(/[%_\\]/g, (ch) => `\\${ch}`);
