import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { MiddlewareHandler } from 'hono';
import { defaultMessage } from '@estateflow/forms';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';
import { requireEstate, type RouteMeta } from './route-table.ts';
import { readBody } from './services/body.ts';

/**
 * The one validation of a route's input: its declared body and query schemas (the same schemas
 * the OpenAPI document shows), compiled once with ajv 2020-12 (strict, with formats). Query values
 * arrive as text and are coerced to the declared types (`limit=20` → 20). A refusal is 400
 * `invalid-request` naming the field and its JSON path in zh and en; nothing runs after it.
 */
function makeAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, coerceTypes: coerce });
  addFormats(ajv);
  // an OpenAPI annotation the schemas may carry for the document
  ajv.addKeyword('example');
  return ajv;
}
const bodyAjv = makeAjv(false);
const queryAjv = makeAjv(true);

/** The query parameters of a route as one object schema (each parameter optional unless listed in `queryRequired`). */
export function querySchema(meta: Pick<RouteMeta, 'query' | 'queryRequired'>): Record<string, unknown> {
  return { type: 'object', properties: meta.query ?? {}, ...(meta.queryRequired?.length ? { required: [...meta.queryRequired] } : {}) };
}

const escape = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const unescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

export type InputIssue = { path: string; field: string; keyword: string; message: { zh: string; en: string } };

/** One ajv error as the API's issue: `{ path: '/parking/0/count', field: 'parking', keyword, message: { zh, en } }`. */
export function issueOf(e: ErrorObject, where: 'body' | 'query'): InputIssue {
  let path = e.instancePath;
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') path += `/${escape(String(p.missingProperty))}`;
  if (e.keyword === 'additionalProperties') path += `/${escape(String(p.additionalProperty))}`;
  const segments = path.split('/').slice(1).map(unescape);
  const field = segments[0] ?? '';
  const name = segments.length > 1 ? path : field;
  const label = name
    ? { zh: `${where === 'query' ? '参数' : '字段'}“${name}”`, en: `${where === 'query' ? 'Parameter' : 'Field'} "${name}"` }
    : { zh: where === 'query' ? '查询参数' : '请求体', en: where === 'query' ? 'The query' : 'The request body' };
  const message =
    e.keyword === 'additionalProperties'
      ? { zh: `${label.zh}：不是可接受的字段`, en: `${label.en}: is not a known field` }
      : e.keyword === 'enum'
        ? { zh: `${label.zh}：必须是 ${(p.allowedValues as unknown[]).join('、')} 之一`, en: `${label.en}: must be one of ${(p.allowedValues as unknown[]).join(', ')}` }
        : defaultMessage(e.keyword, { label, money: false, params: p });
  return { path, field, keyword: e.keyword, message };
}

function refuse(errors: ErrorObject[], where: 'body' | 'query'): ApiError {
  const issues = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map((e) => issueOf(e, where));
  const first = issues[0] ?? issueOf(errors[0]!, where);
  return new ApiError('invalid-request', first.message, { field: first.field, path: first.path, issues });
}

/** The validation middleware of one route: compiles its schemas once, stores the checked input for the handler. */
export function validateInput(meta: RouteMeta): MiddlewareHandler<AppEnv> {
  const query: ValidateFunction = queryAjv.compile(querySchema(meta));
  const body: ValidateFunction | undefined = meta.body ? bodyAjv.compile(meta.body) : undefined;
  return async (c, next) => {
    const q: Record<string, unknown> = { ...c.req.query() };
    const b: Record<string, unknown> = body ? await readBody(c) : {};
    // the estate the request names is checked first: a caller with no role there learns nothing of the
    // route's input rules (404 as for any row of another estate; 403 for a role the route does not serve)
    const named = meta.estate.from === 'query' ? q.estateId : meta.estate.from === 'body' ? b.estateId : undefined;
    if (typeof named === 'string' && named !== '' && c.get('auth')) requireEstate(c, named);
    if (!query(q)) throw refuse(query.errors ?? [], 'query');
    if (body && !body(b)) throw refuse(body.errors ?? [], 'body');
    c.set('input', { body: b, query: q });
    await next();
  };
}
