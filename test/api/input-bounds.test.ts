import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog, definitionDrafts, events, instances, residents, units, type Db } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { testApp, type Client, type JsonResponse } from '../support/api.ts';
import { buildWorld, type World } from '../support/world.ts';

// Issue #16, "Every bad input is a 4xx" and "Bodies are bounded": each answer below was a 500 (or
// a 50 MB body read whole) before the input-bounds middleware (apps/api/src/input-bounds.ts).

/** `{"a":{"a":…"x"…}}` nested `depth` deep, as JSON text (JSON.stringify itself overflows at 10,000). */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
/** A JSON body whose `"DEEP"` placeholder is replaced by `nested(depth)`. */
const withDeep = (body: unknown, depth: number): string => JSON.stringify(body).replace('"DEEP"', nested(depth));
/** A JSON text with a lone surrogate escaped in it (JSON.stringify would write the escape too, but say it). */
const withLoneSurrogate = (body: Record<string, unknown>, field: string): string => JSON.stringify({ ...body, [field]: 'SURROGATE' }).replace('"SURROGATE"', '"a\\ud800b"');

function expectBilingual(res: JsonResponse, status: number, field?: string): void {
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(status);
  expect(res.body.error.message.zh).toMatch(/[\u4e00-\u9fff]/);
  expect(res.body.error.message.en).toMatch(/[a-z]/);
  if (field !== undefined) expect(res.body.error.field).toBe(field);
}

withDatabases((kind, getDb) => {
  let w: World;
  let db: Db;
  let estateId: string;
  let admin: Client;
  let resident: Client;
  let unitId: string;

  const raw = async (client: Client | undefined, method: string, path: string, body: string, headers: Record<string, string> = {}): Promise<JsonResponse> => {
    const r = await w.app.request(path, { method, headers: { 'content-type': 'application/json', ...(client ? { cookie: client.cookie } : {}), ...headers }, body });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
  };
  const counts = async () => {
    const n = async (t: typeof instances | typeof events | typeof definitionDrafts) => Number((await db.select({ n: sql<number>`count(*)::int` }).from(t))[0]!.n);
    return { instances: await n(instances), events: await n(events), drafts: await n(definitionDrafts) };
  };

  beforeAll(async () => {
    db = getDb();
    w = await buildWorld(db);
    estateId = w.own.estateId;
    admin = w.own.admin;
    resident = w.clients.get('resident')!;
    const [unit] = await db.select().from(units).where(and(eq(units.tenantId, w.own.tenantId), eq(units.estateId, estateId), eq(units.label, '1-101')));
    unitId = unit!.id;
    await db.insert(residents).values({ tenantId: w.own.tenantId, id: randomUUID(), estateId, unitId, name: '王先生', kind: 'owner', userId: w.userIds.get('resident')! });
  });

  describe(`body size on ${kind}`, () => {
    it('refuses a 50 MB sign-in body with 413 before reading it, in zh and en', async () => {
      const body = JSON.stringify({ username: 'x'.repeat(50 * 1024 * 1024), password: 'pw' });
      const res = await raw(undefined, 'POST', '/api/auth/login', body, { 'content-length': String(Buffer.byteLength(body)) });
      expectBilingual(res, 413, 'body');
      expect(res.body.error.reason).toBe('too-large');
      expect(res.body.error.message.en).toContain('1 MiB');
    });

    it('counts a body without a declared length while it streams', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(ctrl) {
          if (sent++ < 40) ctrl.enqueue(chunk);
          else ctrl.close();
        },
      });
      const r = await w.app.request('/api/instances', { method: 'POST', headers: { 'content-type': 'application/json', cookie: admin.cookie }, body: stream, duplex: 'half' } as RequestInit);
      expect(r.status).toBe(413);
      expect(sent).toBeLessThan(40);
    });

    it('takes its limit from the settings (env EF_BODY_MAX_BYTES): a smaller limit refuses a smaller body', async () => {
      const small = testApp(db, { inputBounds: { bodyMaxBytes: 2048, jsonMaxDepth: 64 } });
      const r = await small.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'a'.repeat(4000), password: 'pw' }) });
      expect(r.status).toBe(413);
      expect(((await r.json()) as { error: { message: { en: string } } }).error.message.en).toContain('2 KiB');
    });

    it('leaves uploads to their own limit', async () => {
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
      const big = Buffer.concat([png, Buffer.alloc(2 * 1024 * 1024)]);
      const r = await w.app.request(`/api/attachments?estateId=${estateId}&name=big.png`, { method: 'POST', headers: { cookie: admin.cookie, 'content-type': 'image/png' }, body: big });
      expect(r.status).toBe(201);
    });
  });

  describe(`strings, nesting and pages on ${kind}`, () => {
    it('answers a NUL byte in the sign-in user name with 400 naming /username (was 500)', async () => {
      const res = await raw(undefined, 'POST', '/api/auth/login', JSON.stringify({ username: 'admin\u0000', password: 'pw' }));
      expectBilingual(res, 400, '/username');
      expect(res.body.error.message.en).toContain('NUL');
    });

    it('answers a NUL byte or a lone surrogate in start data, event data and a draft with 400 naming the JSON path; nothing is written', async () => {
      const before = await counts();
      const start = await resident.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', unitId, data: { summary: '漏水\u0000' } });
      expectBilingual(start, 400, '/data/summary');
      const surrogate = await raw(resident, 'POST', '/api/instances', withLoneSurrogate({ estateId, workflow: 'test-ticket', unitId }, 'data').replace('"a\\ud800b"', '{"summary":"a\\ud800b"}'));
      expectBilingual(surrogate, 400, '/data/summary');
      expect(surrogate.body.error.message.en).toContain('lone surrogate');
      const key = await admin.call('POST', `/api/instances/${w.own.instanceId}/events`, { type: 'ACK', data: { ['no\u0000te']: 'x' } });
      expectBilingual(key, 400, '/data/no\\u0000te');
      const type = await raw(admin, 'POST', `/api/instances/${w.own.instanceId}/events`, withLoneSurrogate({ data: { note: 'x' } }, 'type'));
      expectBilingual(type, 400, '/type');
      const draft = await admin.call('PUT', '/api/definitions/drafts', { estateId, document: { kind: 'form', id: 'nul', title: { zh: '空\u0000', en: 'x' }, schema: { type: 'object' } } });
      expectBilingual(draft, 400, '/document/title/zh');
      expect(await counts()).toEqual(before);
    });

    it('answers JSON nested 10,000 deep in start data, event data and a draft with 400; nothing is written', async () => {
      const before = await counts();
      const start = await raw(resident, 'POST', '/api/instances', withDeep({ estateId, workflow: 'test-ticket', unitId, data: { summary: 'DEEP' } }, 10_000));
      expectBilingual(start, 400);
      expect(start.body.error.message.en).toContain('more than 64 levels at "/data/summary/a/a/a/a/a/a/…"');
      const event = await raw(admin, 'POST', `/api/instances/${w.own.instanceId}/events`, withDeep({ type: 'ACK', data: { note: 'DEEP' } }, 10_000));
      expectBilingual(event, 400);
      const draft = await raw(admin, 'PUT', '/api/definitions/drafts', withDeep({ estateId, document: { kind: 'form', id: 'deep', title: { zh: '深', en: 'Deep' }, schema: 'DEEP' } }, 10_000));
      expectBilingual(draft, 400);
      // a top-level array nested as deep
      const array = await raw(admin, 'POST', '/api/definitions/validate', `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
      expectBilingual(array, 400);
      expect(await counts()).toEqual(before);
    });

    it('answers a NUL byte in a query parameter or a path segment with 400 naming it', async () => {
      const q = await admin.call('GET', `/api/instances?estateId=${estateId}&q=${encodeURIComponent('漏\u0000')}`);
      expectBilingual(q, 400, 'q');
      const drafts = await admin.call('GET', `/api/definitions/drafts/form/${encodeURIComponent('de\u0000mo')}?estateId=${estateId}`);
      expectBilingual(drafts, 400);
      const asOf = await admin.call('GET', `/api/calendars?estateId=${encodeURIComponent(`${estateId}\u0000`)}`);
      expectBilingual(asOf, 400, 'estateId');
    });

    it('answers a negative, huge or fractional limit or offset with 400 naming it, and still pages with good ones', async () => {
      for (const [name, value] of [['limit', '-1'], ['limit', '0'], ['limit', '1e20'], ['limit', '2.5'], ['limit', '100000'], ['offset', '-5'], ['offset', '99999999999999999999'], ['offset', 'abc']]) {
        const res = await admin.call('GET', `/api/instances?estateId=${estateId}&${name}=${value}`);
        expectBilingual(res, 400, name);
      }
      const ok = await admin.call('GET', `/api/instances?estateId=${estateId}&limit=1&offset=0`);
      expect(ok.status).toBe(200);
      expect(ok.body.items).toHaveLength(1);
    });

    it('keeps refusals out of the audit log when the input never reached a handler', async () => {
      const before = Number((await db.select({ n: sql<number>`count(*)::int` }).from(auditLog))[0]!.n);
      expect((await raw(admin, 'POST', `/api/instances/${w.own.instanceId}/events`, withDeep({ type: 'ACK', data: { note: 'DEEP' } }, 100))).status).toBe(400);
      expect(Number((await db.select({ n: sql<number>`count(*)::int` }).from(auditLog))[0]!.n)).toBe(before);
    });
  });
});
