import { and, count, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { instances } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { testApp } from '../support/api.ts';
import { buildWorld, type World } from '../support/world.ts';

// CSRF: a state-changing request must come from our own pages (Sec-Fetch-Site / Origin), or from
// a client that is no browser (neither header); bodies are JSON as application/json, except uploads.
// Security headers on every API answer; HSTS only when SECURE_COOKIES.
withDatabases((kind, getDb) => {
  let w: World;
  const host = 'estate.example.cn';
  const start = (headers: Record<string, string>, body = JSON.stringify({ estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: '漏水', grade: 'major' } }), app = w.app) =>
    app.request('http://estate.example.cn/api/instances', { method: 'POST', headers: { cookie: w.own.admin.cookie, host, ...headers }, body });
  const started = async () => (await getDb().select({ n: count() }).from(instances).where(and(eq(instances.tenantId, w.own.tenantId), eq(instances.estateId, w.own.estateId))))[0]!.n;

  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  it(`refuses a request from another site with the session cookie, writing nothing, on ${kind}`, async () => {
    const before = await started();
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example', 'content-type': 'text/plain' },
      { origin: 'https://evil.example', 'content-type': 'application/json' },
      { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      { 'sec-fetch-site': 'same-site', origin: 'https://shop.example.cn', 'content-type': 'application/json' },
      { origin: 'null', 'content-type': 'application/json' },
    ]) {
      const res = await start(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      const body = (await res.json()) as { error: { reason: string; message: { zh: string; en: string } } };
      expect(body.error.reason).toBe('cross-origin');
      expect(body.error.message.en).toMatch(/another site/);
    }
    expect(await started()).toBe(before);
  });

  it(`accepts our own pages (same origin), a trusted origin, and clients that are no browser, on ${kind}`, async () => {
    expect((await start({ 'sec-fetch-site': 'same-origin', origin: `http://${host}`, 'content-type': 'application/json' })).status).toBe(201);
    expect((await start({ origin: `http://${host}`, 'content-type': 'application/json; charset=utf-8' })).status).toBe(201);
    expect((await start({ 'content-type': 'application/json' })).status).toBe(201); // a script with the cookie
    const ui = testApp(getDb(), { trustedOrigins: ['https://ui.example.cn'] });
    expect((await start({ 'sec-fetch-site': 'cross-site', origin: 'https://ui.example.cn', 'content-type': 'application/json' }, undefined, ui)).status).toBe(201);
    // a Bearer token, no cookie, no Origin
    const username = (await w.own.admin.call('GET', '/api/auth/me')).body.user.username as string;
    const login = await w.app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'pw' }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const res = await w.app.request('/api/instances', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: '漏水', grade: 'major' } }) });
    expect(res.status).toBe(201);
  });

  it(`accepts JSON only as application/json (415 otherwise, nothing written), uploads keep their own types, on ${kind}`, async () => {
    const before = await started();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await start({ origin: `http://${host}`, 'content-type': type });
      expect(res.status, type).toBe(415);
      const body = (await res.json()) as { error: { reason: string; message: { zh: string; en: string } } };
      expect(body.error.reason).toBe('unsupported-type');
      expect(body.error.message.zh).toContain('application/json');
    }
    expect(await started()).toBe(before);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const upload = await w.app.request(`http://${host}/api/attachments?estateId=${w.own.estateId}&name=dot.png`, { method: 'POST', headers: { cookie: w.own.admin.cookie, host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin', 'content-type': 'image/png' }, body: png });
    expect(upload.status).toBe(201);
  });

  it(`puts the security headers on every API answer, and HSTS only under SECURE_COOKIES, on ${kind}`, async () => {
    for (const res of [await w.own.admin.call('GET', '/api/auth/me'), await w.own.admin.call('GET', '/api/no-such-route')]) {
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
    const docs = await w.app.request('/api/docs');
    expect(docs.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'unsafe-inline';/);
    const attachment = await w.own.admin.call('GET', `/api/attachments/${w.own.attachmentId}`);
    expect(attachment.status).toBe(200);
    expect(attachment.headers.get('content-security-policy')).toMatch(/^default-src 'none'; img-src 'self'/);
    expect(attachment.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const secure = await testApp(getDb(), { secureCookies: true }).request('/api/auth/me');
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});
