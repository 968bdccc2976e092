import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser, routeTable } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

withDatabases((kind, getDb) => {
  it(`signs in with argon2id, sets an HttpOnly SameSite=Lax cookie, and signs out on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家' });
    await createUser(db, testConfig as never, { tenantId, username: `fd-${kind}`, password: 'pw-123456', roles: [{ estateId, role: 'front_desk' }] });
    const app = testApp(db);
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `fd-${kind}`, password: 'pw-123456' }),
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^ef_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const client = await signIn(app, `fd-${kind}`, 'pw-123456');
    const me = await client.call('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.memberships).toEqual([{ estateId, estateName: '颐园世家', role: 'front_desk', roleTitle: { zh: '前台', en: 'Front desk' }, permissions: ['personal_data', 'residents_link'], timeZone: 'Asia/Shanghai' }]);
    expect((await client.call('POST', '/api/auth/logout')).status).toBe(200);
    const after = await client.call('GET', '/api/auth/me');
    expect(after.status).toBe(401);
    expect(after.body.error.reason).toBe('unauthenticated');
    expect(after.body.error.message.zh).toBeTruthy();
  });

  it(`keeps large text (适老化) on the user's account, so a session in another browser opens with it, and for that user only, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '长城物业');
    await createUser(db, testConfig as never, { tenantId, username: `big-${kind}`, password: 'pw-123456', roles: [] });
    await createUser(db, testConfig as never, { tenantId, username: `other-${kind}`, password: 'pw-123456', roles: [] });
    const app = testApp(db);
    const first = await signIn(app, `big-${kind}`, 'pw-123456');
    expect((await first.call('GET', '/api/auth/me')).body.user.largeText).toBe(false);
    const set = await first.call('PUT', '/api/auth/me/preferences', { largeText: true });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ largeText: true });
    // another browser: a new session of the same user
    const second = await signIn(app, `big-${kind}`, 'pw-123456');
    expect((await second.call('GET', '/api/auth/me')).body.user.largeText).toBe(true);
    const other = await signIn(app, `other-${kind}`, 'pw-123456');
    expect((await other.call('GET', '/api/auth/me')).body.user.largeText).toBe(false);
    const bad = await second.call('PUT', '/api/auth/me/preferences', { largeText: 'yes' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('largeText');
    expect((await app.request('/api/auth/me/preferences', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"largeText":true}' })).status).toBe(401);
  });

  it(`refuses a wrong password with a zh/en message naming the field on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, 'X');
    await createUser(db, testConfig as never, { tenantId, username: `wrong-${kind}`, password: 'right', roles: [] });
    const res = await testApp(db).request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `wrong-${kind}`, password: 'nope' }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { reason: string; field: string; message: { zh: string; en: string } } };
    expect(body.error).toMatchObject({ reason: 'bad-credentials', field: 'password' });
    expect(body.error.message.en).toMatch(/password/i);
  });

  it(`expires sessions after the configured lifetime on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, 'Y');
    await createUser(db, testConfig as never, { tenantId, username: `exp-${kind}`, password: 'pw', roles: [] });
    let now = new Date('2026-03-01T08:00:00Z');
    const app = testApp(db, { sessionTtlMs: 60_000, now: () => now });
    const client = await signIn(app, `exp-${kind}`, 'pw');
    expect((await client.call('GET', '/api/auth/me')).status).toBe(200);
    now = new Date('2026-03-01T08:01:01Z');
    expect((await client.call('GET', '/api/auth/me')).status).toBe(401);
  });

  it(`serves the OpenAPI document and a self-contained reference page on ${kind}`, async () => {
    const app = testApp(getDb());
    const doc = (await (await app.request('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/auth/login');
    for (const r of routeTable) expect(doc.paths[r.path], `${r.method} ${r.path}`).toHaveProperty(r.method);
    const html = await (await app.request('/api/docs')).text();
    expect(html).toContain('/api/auth/login');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});
