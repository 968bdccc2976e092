import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';

/**
 * The browser defences every response carries, API and pages alike: no framing by other sites
 * (`X-Frame-Options: DENY`, CSP `frame-ancestors 'none'`), no MIME sniffing (`nosniff`), no URL
 * leaking to other sites (`Referrer-Policy: same-origin`), a browsing context of our own
 * (`Cross-Origin-Opener-Policy: same-origin`), and HSTS for a year when served over https
 * (`secureCookies`, env SECURE_COOKIES=1). The pages' own Content-Security-Policy (scripts: our
 * files and the hashes of SvelteKit's inline boot script) is made by SvelteKit from `kit.csp` in
 * apps/web/svelte.config.js; the API's is below.
 */
export function baseSecurityHeaders(secure: boolean): Record<string, string> {
  return {
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    ...(secure ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/**
 * CSP of an API answer: JSON runs nothing (`default-src 'none'`); the reference page `/api/docs`
 * has its stylesheet inline and no script; an attachment shown inline (image, PDF) may load only
 * itself, never run script.
 */
export function apiContentSecurityPolicy(path: string): string {
  if (path === '/api/docs') return "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  if (path.startsWith('/api/attachments/')) return "default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
  return "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

/** Hono middleware: the headers above on every API answer, errors and 404s included. */
export function apiSecurityHeaders(secure: boolean): MiddlewareHandler {
  const base = baseSecurityHeaders(secure);
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(base)) c.res.headers.set(name, value);
    // an attachment may be shown in the app's own pages (same origin), nothing else frames anything
    if (c.req.path.startsWith('/api/attachments/')) c.res.headers.set('x-frame-options', 'SAMEORIGIN');
    c.res.headers.set('content-security-policy', apiContentSecurityPolicy(c.req.path));
  };
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** Wraps the SvelteKit handler (served outside Hono, see main.ts) so pages carry the same headers. */
export function withPageSecurityHeaders(handler: NodeHandler, secure: boolean): NodeHandler {
  const base = Object.entries(baseSecurityHeaders(secure));
  return (req, res, next) => {
    for (const [name, value] of base) res.setHeader(name, value);
    handler(req, res, next);
  };
}
