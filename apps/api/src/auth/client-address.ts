import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';

/**
 * The client's network address, for sign-in throttling: the socket's peer, or, when the API runs
 * behind one reverse proxy it trusts (`trustProxy`, env EF_TRUST_PROXY=1), the last entry of
 * `X-Forwarded-For` (the one that proxy added; entries before it are whatever the client sent).
 * `unknown` when neither is there (requests made in-process with `app.request()`).
 */
export function clientAddress(c: Context<AppEnv>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
