import { describeAccess, type RouteMeta } from './route-table.ts';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['reason', 'message'],
      properties: {
        reason: { type: 'string' },
        message: { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } }, required: ['zh', 'en'] },
        field: { type: 'string' },
        path: { type: 'string' },
      },
    },
  },
};

/** The OpenAPI 3.1 document, generated from the route table. */
export function openApiDocument(routes: readonly RouteMeta[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const m of r.path.matchAll(/\{(\w+)\}/g)) {
      const name = m[1] ?? '';
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' }, description: r.params?.[name] });
    }
    for (const [name, schema] of Object.entries(r.query ?? {})) parameters.push({ name, in: 'query', required: false, schema });
    if (r.method === 'post') {
      parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Replays the stored answer for a retried request' });
    }
    const op: Record<string, unknown> = {
      tags: [r.tag],
      summary: r.summary,
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_, ch: string) => ch.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      parameters,
      'x-roles': describeAccess(r.access),
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: r.response ?? { type: 'object' } } } },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.body, ...(r.example ? { example: r.example } : {}) } } };
    if (r.requestContent) op.requestBody = { required: true, content: Object.fromEntries(Object.entries(r.requestContent).map(([type, schema]) => [type, { schema }])) };
    if (r.access !== 'public') op.security = [{ session: [] }];
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'EstateFlow API', version: '0.1.0', description: 'Workflows, forms, SLA and billing for property companies. Errors: { error: { reason, message: { zh, en }, field?, path? } }.' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'ef_session' } } },
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
