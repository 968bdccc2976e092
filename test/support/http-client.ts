/** A JSON client for a listening server (a child process), sending the session cookie once signed in. */
export interface HttpClient {
  cookie: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function httpClient(port: number, cookie = ''): HttpClient {
  return {
    cookie,
    async call(method, path, body, headers = {}) {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
    },
  };
}

/** Signs in over HTTP; the client keeps the session cookie. */
export async function signInHttp(port: number, username: string, password: string): Promise<HttpClient> {
  const r = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return httpClient(port, (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '');
}
