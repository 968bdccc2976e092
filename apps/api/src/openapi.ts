import { describeAccess, PASSWORD_CHANGE_PATHS, type JsonSchema, type RouteMeta } from './route-table.ts';
import { apiError } from './schemas/common.ts';

/** What each error status means here; every operation declares the ones it can answer (`errorStatuses`). */
const errorText: Record<number, string> = {
  400: 'Invalid request: a body or query field breaks its schema (the message names the field and JSON path in zh and en)',
  401: 'Not signed in, or wrong credentials',
  403: "The caller's role may not do this, or the request is someone else's, or a cross-site request",
  404: 'Not found: no such row, or it belongs to another estate or company',
  409: 'Conflict: changed by someone else (version), or the same Idempotency-Key is still in progress',
  413: 'The body (or upload) is larger than the limit',
  415: 'The body is not JSON (or, for uploads, not an allowed file type)',
  422: 'Understood but refused: invalid form data or definition, an event the state does not accept, or an Idempotency-Key reused with another body',
  429: 'Too many failed sign-ins: wait as Retry-After says',
};

/** The error statuses an operation can answer, from what it declares (inputs, access, estate) plus its own `errors`. */
export function errorStatuses(r: RouteMeta): number[] {
  const out = new Set<number>(r.errors ?? []);
  // any request can carry a malformed path segment or query parameter (input-bounds.ts)
  out.add(400);
  if (r.access !== 'public') out.add(401);
  if (typeof r.access !== 'string' || r.access === 'staff' || r.estate.from !== 'none' || r.method !== 'get') out.add(403);
  // a user whose password was set by someone else must change it before anything else (password-change-required)
  if (r.access !== 'public' && !PASSWORD_CHANGE_PATHS.has(r.path)) out.add(403);
  // a path naming something (an id, a kind) can name what does not exist
  if (r.params || /\/[:{]\w/.test(r.path) || r.estate.from !== 'none') out.add(404);
  if (r.method === 'post' || r.method === 'put') for (const s of [409, 413, 415, 422]) out.add(s);
  return [...out].sort((a, b) => a - b);
}

const tagText: Record<string, string> = {
  Auth: 'Sign in and out; who the caller is',
  Estates: "The caller's estates, buildings, units and staff",
  Definitions: 'Forms, workflows, SLA policies and calendars: drafts, validation, immutable published versions',
  Bundles: 'Template bundles: the catalogue, installs with parameter values, export',
  Instances: 'Requests: start, list, read, history, send events',
  Tasks: 'The inbox: claim and reassign tasks',
  Forms: 'Published forms rendered for a locale, and data checked against them',
  Calendars: 'Business calendars: working hours, holidays, make-up days',
  Reports: 'Dashboards: volumes, SLA compliance, revisits',
  Notices: 'Notices delivered to the caller',
  Billing: 'Fee schedules, billing plans, bills, payments, receipts, statements, arrears',
  Processes: 'What the caller may start, with its start form',
  Attachments: 'Uploaded photos and documents',
};

/** A UUID of no row: the estate of the request examples (`estateId` is the caller's own). */
const exampleEstate = '00000000-0000-4000-8000-000000000000';

const errorRef = { $ref: '#/components/schemas/Error' };

function successResponse(status: number, schema: JsonSchema | 'binary' | null): Record<string, unknown> {
  if (schema === null) return { description: status === 304 ? 'Not modified (If-None-Match matched the ETag)' : 'No content' };
  if (schema === 'binary') return { description: 'The file\'s bytes, with its Content-Type', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
  return { description: status === 201 ? 'Created' : 'OK', content: { 'application/json': { schema } } };
}

/** The OpenAPI 3.1 document, generated from the route table: every schema is the one the route validates or answers with. */
export function openApiDocument(routes: readonly RouteMeta[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const m of r.path.matchAll(/\{(\w+)\}/g)) {
      const name = m[1] ?? '';
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' }, description: r.params?.[name] ? `the id of a ${r.params[name]}` : `e.g. ${r.pathExample?.[name] ?? name}` });
    }
    for (const [name, schema] of Object.entries(r.query ?? {})) parameters.push({ name, in: 'query', required: r.queryRequired?.includes(name) ?? false, schema });
    if (r.method === 'post') {
      parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Replays the stored answer for a retried request' });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(r.responses)) responses[status] = successResponse(Number(status), schema);
    for (const status of errorStatuses(r)) responses[String(status)] = { description: errorText[status] ?? 'Error', content: { 'application/json': { schema: errorRef } } };
    responses.default = { description: 'Unexpected error', content: { 'application/json': { schema: errorRef } } };
    const op: Record<string, unknown> = {
      tags: [r.tag],
      summary: r.summary,
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_, ch: string) => ch.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      parameters,
      'x-roles': describeAccess(r.access),
      responses,
      security: r.access === 'public' ? [] : [{ session: [] }, { bearer: [] }],
    };
    if (r.body) {
      const example = r.example ? { ...(r.estate.from === 'body' ? { estateId: exampleEstate } : {}), ...r.example } : undefined;
      op.requestBody = { required: true, content: { 'application/json': { schema: r.body, ...(example ? { example } : {}) } } };
    }
    if (r.requestContent) op.requestBody = { required: true, content: Object.fromEntries(Object.entries(r.requestContent).map(([type, schema]) => [type, { schema }])) };
    (paths[r.path] ??= {})[r.method] = op;
  }
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name, description: tagText[name] ?? name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'EstateFlow API',
      version: '0.1.0',
      description: 'Workflows, forms, SLA and billing for property companies. Errors: { error: { reason, message: { zh, en }, field?, path? } }.',
      // the project states no open licence (not in the field documents): the API is the company's own
      license: { name: 'Proprietary', identifier: 'LicenseRef-EstateFlow-Proprietary' },
    },
    servers: [{ url: '/', description: 'the server this document was read from' }],
    tags,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ef_session', description: 'set by POST /api/auth/login' },
        bearer: { type: 'http', scheme: 'bearer', description: 'the token POST /api/auth/login answers' },
      },
      schemas: { Error: apiError },
    },
    paths,
  };
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch);

/** A self-contained HTML reference of the OpenAPI document (no CDN: the page works offline). */
export function docsPage(routes: readonly RouteMeta[]): string {
  const tags = [...new Set(routes.map((r) => r.tag))];
  const sections = tags
    .map((tag) => {
      const items = routes
        .filter((r) => r.tag === tag)
        .map(
          (r) => `<details><summary><span class="m ${r.method}">${r.method.toUpperCase()}</span> <code>${esc(r.path)}</code> — ${esc(r.summary)}</summary>
<p><b>Roles:</b> ${esc(describeAccess(r.access))}</p>
${r.query ? `<p><b>Query:</b> ${Object.keys(r.query).map((k) => `<code>${esc(k)}</code>`).join(', ')}</p>` : ''}
${r.body ? `<p><b>Body schema:</b></p><pre>${esc(JSON.stringify(r.body, null, 2))}</pre>` : ''}
${r.example ? `<p><b>Example:</b></p><pre>${esc(JSON.stringify(r.example, null, 2))}</pre>` : ''}
</details>`,
        )
        .join('\n');
      return `<section><h2>${esc(tag)}</h2>${items}</section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>EstateFlow API reference</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}details{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.4rem .6rem}
summary{cursor:pointer}.m{display:inline-block;min-width:4rem;font-weight:bold}.get{color:#0a7}.post{color:#06c}.put{color:#a60}.delete{color:#c22}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style></head>
<body><h1>EstateFlow API</h1><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>. Sign in with <code>POST /api/auth/login</code>; the session cookie authenticates the rest. Every POST accepts an <code>Idempotency-Key</code> header. Errors are <code>{ error: { reason, message: { zh, en }, field?, path? } }</code>.</p>
${sections}</body></html>`;
}
