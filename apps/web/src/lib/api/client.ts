import type { Text } from '$lib/i18n/index.svelte.ts';

/** One problem the API reported, e.g. a form field: `{ path: '/phone', message: { zh, en } }`. */
export type ApiIssue = { path?: string; field?: string; pointer?: string; keyword?: string; message: Text | string };

/** A refused request, carrying the API's tagged `reason` and bilingual message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly text: Text,
    readonly issues: ApiIssue[] = [],
    readonly body: unknown = undefined,
  ) {
    super(text.en || text.zh || reason);
  }
}

type Options = { method?: string; body?: unknown; fetch?: typeof fetch; idempotencyKey?: string; signal?: AbortSignal };

function asText(value: unknown, fallback: string): Text {
  if (value && typeof value === 'object' && 'zh' in value) {
    const v = value as Partial<Text>;
    return { zh: v.zh ?? v.en ?? fallback, en: v.en ?? v.zh ?? fallback };
  }
  if (typeof value === 'string') return { zh: value, en: value };
  return { zh: fallback, en: fallback };
}

function issuesOf(body: Record<string, unknown>): ApiIssue[] {
  const candidates = [body.issues, body.errors, (body.error as Record<string, unknown> | undefined)?.issues];
  for (const c of candidates) if (Array.isArray(c)) return c as ApiIssue[];
  return [];
}

/**
 * Calls the same-origin API under `/api` with the session cookie; resolves with the JSON body or
 * throws an `ApiError` carrying the server's `{ reason, message: { zh, en } }`.
 */
export async function api<T>(path: string, options: Options = {}): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  const response = await doFetch(`/api${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'same-origin',
    signal: options.signal,
  });
  const raw = await response.text();
  let body: unknown = undefined;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = raw;
  }
  if (!response.ok) {
    const obj = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const err = (obj.error && typeof obj.error === 'object' ? obj.error : obj) as Record<string, unknown>;
    const reason = typeof err.reason === 'string' ? err.reason : typeof obj.reason === 'string' ? obj.reason : `http-${response.status}`;
    throw new ApiError(response.status, reason, asText(err.message ?? obj.message, `${response.status} ${response.statusText}`), issuesOf(obj).concat(obj === err ? [] : issuesOf(err)), body);
  }
  return body as T;
}

/** A fresh idempotency key for one user intent (one click = one key). */
export function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

/** One page of a server list: its items and the cursor of the next page (null on the last). */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** `path` with the next page's cursor (the path already has a `?query`). */
export const withCursor = (path: string, cursor: string | null): string => (cursor ? `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : path);

/**
 * Every page of a list that is small by nature (one household's bills and receipts), following
 * `nextCursor`; `maxPages` bounds it all the same. Screens of lists that grow with the estate show
 * one page and a "more" button instead.
 */
export async function allPages<T>(path: string, options: { fetch?: typeof fetch; maxPages?: number; cursor?: string | null } = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = options.cursor ?? null;
  for (let n = 0; n < (options.maxPages ?? 20); n++) {
    const page: Page<T> = await api<Page<T>>(withCursor(path, cursor), { fetch: options.fetch });
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return items;
}
