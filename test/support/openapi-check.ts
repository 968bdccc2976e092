import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Hono } from 'hono';
import { openApiDocument, routeTable, type AppEnv } from '@estateflow/api';

/**
 * Every answer the API tests receive is checked against the OpenAPI document the server serves
 * (`GET /api/openapi.json`, generated from the route table): the status must be one the operation
 * declares, and a JSON body must match that status's schema. A mismatch fails the test at the call,
 * so the document cannot drift from the code.
 */
type Operation = { method: string; template: string; pattern: RegExp; responses: Record<string, { content?: Record<string, unknown> }> };

const doc = openApiDocument(routeTable) as { paths: Record<string, Record<string, { responses: Operation['responses'] }>> };
const ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema(doc as object, 'openapi');

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

// literal paths before templated ones (`/versions/{id}` must not take `/versions`)
const operations: Operation[] = Object.entries(doc.paths)
  .flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method,
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
      responses: op.responses,
    })),
  )
  .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));

const validators = new Map<string, ValidateFunction>();
function validatorFor(op: Operation, status: string): ValidateFunction {
  const ref = `openapi#/paths/${escapePointer(op.template)}/${op.method}/responses/${status}/content/application~1json/schema`;
  let v = validators.get(ref);
  if (!v) {
    v = ajv.compile({ $ref: ref });
    validators.set(ref, v);
  }
  return v;
}

/** Paths outside the document: the document itself and its reference page. */
const undocumented = new Set(['/api/openapi.json', '/api/docs']);

/** Why an answer does not match the document, or undefined when it does. */
export function responseMismatch(method: string, url: string, status: number, contentType: string | null, body: string): string | undefined {
  const path = new URL(url, 'http://test').pathname;
  if (undocumented.has(path)) return undefined;
  const op = operations.find((o) => o.method === method.toLowerCase() && o.pattern.test(path));
  if (!op) {
    // a path or method no route serves: the app's own 404
    return status === 404 ? undefined : `${method} ${path} answered ${status} but the document has no such operation`;
  }
  const declared = op.responses[String(status)];
  if (!declared) return `${method} ${op.template} answered ${status}, which the document does not declare (declared: ${Object.keys(op.responses).join(', ')})`;
  if (!declared.content?.['application/json']) return undefined;
  if (!contentType?.includes('json')) return `${method} ${op.template} answered ${status} with ${contentType ?? 'no content type'}, the document says JSON`;
  const validate = validatorFor(op, String(status));
  const value: unknown = body ? JSON.parse(body) : undefined;
  if (validate(value)) return undefined;
  // name the property a strict schema does not declare (ajv's message does not)
  const extra = (e: { params?: { additionalProperty?: string } }) => (e.params?.additionalProperty ? ` ("${e.params.additionalProperty}")` : '');
  const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra(e)}`).join('; ');
  return `${method} ${op.template} answered ${status} with a body that breaks its schema: ${errors}\n${body.slice(0, 400)}`;
}

/** Wraps `app.request` so that every answer is checked against the document (throws on a mismatch). */
export function checkedRequest(app: Hono<AppEnv>): Hono<AppEnv> {
  const original = app.request.bind(app);
  app.request = (async (input: string | Request | URL, init?: RequestInit, ...rest: unknown[]) => {
    const res = await (original as (...a: unknown[]) => Promise<Response>)(input, init, ...rest);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const mismatch = responseMismatch(method, url, res.status, res.headers.get('content-type'), await res.clone().text());
    if (mismatch) throw new Error(`the answer does not match /api/openapi.json: ${mismatch}`);
    return res;
  }) as typeof app.request;
  return app;
}
