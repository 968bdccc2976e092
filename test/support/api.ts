import type { Hono } from 'hono';
import type { Db } from '@estateflow/db';
import { createApp, type ApiConfig, type AppEnv } from '@estateflow/api';
import { checkedRequest } from './openapi-check.ts';

/** Cheap argon2 for tests: the cost is a setting, the algorithm stays argon2id. */
export const testConfig: Partial<ApiConfig> = {
  argon2: { memoryCost: 1024, timeCost: 1 },
  // tests drive the business clock over hours and days with one sign-in; people.test.ts sets the idle expiry it tests
  sessionIdleMs: 400 * 24 * 3600_000,
};

/** The API on `db`; every answer it gives a test is checked against its OpenAPI document (support/openapi-check.ts). */
export function testApp(db: Db, config: Partial<ApiConfig> = {}, options: { reportDb?: Db } = {}): Hono<AppEnv> {
  return checkedRequest(createApp({ db, reportDb: options.reportDb, config: { ...testConfig, ...config } }));
}

/** A JSON response; bodies are asserted field by field in tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonResponse = { status: number; body: any; headers: Headers };

export interface Client {
  cookie: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
}

/** Signs in and returns a client that sends the session cookie. */
export async function signIn(app: Hono<AppEnv>, username: string, password: string): Promise<Client> {
  const res = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return {
    cookie,
    async call(method, path, body, headers = {}) {
      const r = await app.request(path, {
        method,
        headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      // non-JSON answers (an attachment's bytes) are handed back as text
      const json = r.headers.get('content-type')?.includes('json');
      return { status: r.status, body: text ? (json ? JSON.parse(text) : text) : undefined, headers: r.headers };
    },
  };
}
