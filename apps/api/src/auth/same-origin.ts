import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes whose body is a file (its own type, or multipart): every other body is JSON. */
export const FILE_BODY_PATHS: ReadonlySet<string> = new Set(['/api/attachments']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

const crossOrigin = (): ApiError =>
  new ApiError('cross-origin', {
    zh: '拒绝来自其他网站的请求：修改数据的请求必须来自本站页面',
    en: 'Refused a request from another site: requests that change data must come from this site’s own pages',
  });

/**
 * CSRF defence for every state-changing request (any method but GET, HEAD, OPTIONS), the rule of
 * Go's `http.CrossOriginProtection`: a browser says where a request comes from, so
 * - `Sec-Fetch-Site` present: only `same-origin` (our pages) or `none` (typed by the user) pass;
 * - else `Origin` present: its host must be the request's `Host`;
 * - neither: not a cross-site browser request (every current browser sends one of them on a
 *   cross-origin POST), so scripts and apps with a Bearer token or cookie keep working.
 * An origin listed in `trustedOrigins` (env EF_TRUSTED_ORIGINS, comma-separated, e.g. a UI hosted
 * elsewhere) passes either check. Then a body (or a declared content type) must be
 * `application/json`, except on the upload route: a text/plain or form body, which a foreign page
 * could send without asking, is 415.
 */
export function sameOrigin(trustedOrigins: readonly string[]): MiddlewareHandler<AppEnv> {
  const trusted = new Set(trustedOrigins);
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const isTrusted = origin !== undefined && trusted.has(origin);
    if (site !== undefined) {
      if (site !== 'same-origin' && site !== 'none' && !isTrusted) throw crossOrigin();
    } else if (origin !== undefined && !isTrusted) {
      let host: string | undefined;
      try {
        host = new URL(origin).host;
      } catch {
        host = undefined; // `Origin: null` (sandboxed frame, file://) is no origin of ours
      }
      if (host === undefined || host !== c.req.header('host')) throw crossOrigin();
    }
    const type = c.req.header('content-type');
    const hasBody = type !== undefined || Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && !FILE_BODY_PATHS.has(c.req.path) && !JSON_TYPE.test(type ?? '')) {
      throw new ApiError('unsupported-type', { zh: '请求体必须是 JSON（Content-Type: application/json）', en: 'The request body must be JSON (Content-Type: application/json)' });
    }
    return next();
  };
}
