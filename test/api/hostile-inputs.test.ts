import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { residents, units, type Db } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import type { Client } from '../support/api.ts';
import { buildWorld, type Place, type World } from '../support/world.ts';

// Issue #16, "Every bad input is a 4xx, never a 500": a corpus of hostile inputs thrown at every
// route of /api/openapi.json (path parameters, query parameters, bodies), as a resident and as an
// admin. Every answer is below 500; every refusal carries a message in zh and en; a refusal writes
// nothing (a checksum of every table but the audit trail and sign-in bookkeeping is unchanged).

type Operation = { parameters?: { name: string; in: string }[]; requestBody?: { content?: Record<string, unknown> } };
type OpenApi = { paths: Record<string, Record<string, Operation>> };

/** A text a JSON body carries as a string value; `DEEP` stands for JSON nested 10,000 deep. */
const DEEP = '__DEEP__';
const deepJson = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;

/** Hostile strings: NUL, a lone surrogate, huge, far dates and periods, numbers out of range; plus fast-check's arbitrary code units. */
const hostileStrings: string[] = [
  '\u0000', '\ud800', 'x'.repeat(100_000), '9999-12', '9999-12-31', '-1', '1e400', '99999999999999999999',
  ...fc.sample(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { numRuns: 2, seed: 16 }),
];
/** Path parameters: the first four. */
const hostilePath = hostileStrings.slice(0, 4);
/** Hostile JSON values for a body field. */
const hostileValues: unknown[] = [null, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, DEEP, '\u0000', '\ud800', 'x'.repeat(100_000), '9999-12'];
/** Bodies that are not an object at all, or not JSON. */
const hostileBodies = ['[]', 'null', '{', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, `{"\\u0000":1}`];

/** Percent-encodes as a client would, lone surrogates included (as the three bytes a careless encoder writes). */
const enc = (s: string): string =>
  [...s].map((ch) => {
    const cp = ch.codePointAt(0)!;
    if (cp < 0xd800 || cp > 0xdfff) return encodeURIComponent(ch);
    return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  }).join('');

const ids = (place: Place): Record<string, string> => ({
  id: place.instanceId, estateId: place.estateId, versionId: place.versionId, installId: place.installId, attachmentId: place.attachmentId, taskId: place.taskId,
});

withDatabases((kind, getDb) => {
  let w: World;
  let db: Db;
  let doc: OpenApi;
  let clients: [string, Client][];
  let tables: string[];

  /** Per table a refusal must not touch: its row count and newest writer. */
  const checksum = async (): Promise<Record<string, string>> => {
    // rows and the newest writing transaction: an insert, update or delete changes one of them
    const parts = tables.map((t) => `select '${t}' as t, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text as h from "${t}"`);
    const rows = (await db.execute(sql.raw(parts.join(' union all ')))) as unknown as { rows?: { t: string; h: string }[] } | { t: string; h: string }[];
    const list = Array.isArray(rows) ? rows : rows.rows ?? [];
    return Object.fromEntries(list.map((r) => [r.t, r.h]));
  };

  beforeAll(async () => {
    db = getDb();
    w = await buildWorld(db);
    const [unit] = await db.select().from(units).where(and(eq(units.tenantId, w.own.tenantId), eq(units.estateId, w.own.estateId), eq(units.label, '1-101')));
    await db.insert(residents).values({ tenantId: w.own.tenantId, id: randomUUID(), estateId: w.own.estateId, unitId: unit!.id, name: '王先生', kind: 'owner', userId: w.userIds.get('resident')! });
    doc = (await w.own.admin.call('GET', '/api/openapi.json')).body as OpenApi;
    clients = [['resident', w.clients.get('resident')!], ['admin', w.own.admin]];
    const listed = (await db.execute(sql.raw(`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`))) as unknown as { rows?: { t: string }[] } | { t: string }[];
    // the audit trail and sign-in bookkeeping record refusals by design
    tables = (Array.isArray(listed) ? listed : listed.rows ?? []).map((r) => r.t).filter((t) => !['audit_log', 'login_throttle', 'sessions'].includes(t) && !t.startsWith('__'));
  });

  it(`lists every route in the OpenAPI document (the corpus covers them all) on ${kind}`, () => {
    const operations = Object.values(doc.paths).flatMap((p) => Object.keys(p));
    expect(operations.length).toBeGreaterThan(40);
    expect(tables.length).toBeGreaterThan(15);
  });

  describe(`hostile inputs on ${kind}`, () => {
    it('answers every route below 500, with a message in zh and en, and a refusal writes nothing', { timeout: 600_000 }, async () => {
      const failures: string[] = [];
      const cookies = new Map(clients.map(([who, c]) => [who, c.cookie]));
      let requests = 0;
      let last = await checksum();
      const send = async (who: string, method: string, url: string, body: string | undefined, label: string) => {
        requests++;
        const r = await w.app.request(url, { method, headers: { cookie: cookies.get(who)!, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body } : {}) });
        const text = await r.text();
        const where = `${who} ${method} ${url.slice(0, 120)} ${label}`;
        if (r.status >= 500) failures.push(`${where}: ${r.status} ${text.slice(0, 200)}`);
        else if (r.status >= 400) {
          let message: { zh?: unknown; en?: unknown } | undefined;
          try {
            message = (JSON.parse(text) as { error?: { message?: { zh?: unknown; en?: unknown } } }).error?.message;
          } catch {
            message = undefined;
          }
          if (typeof message?.zh !== 'string' || !/[\u4e00-\u9fff]/.test(message.zh) || typeof message.en !== 'string' || !/[a-z]/i.test(message.en)) {
            failures.push(`${where}: ${r.status} without a zh/en message: ${text.slice(0, 200)}`);
          }
        }
        if (method !== 'GET') await unchanged(where, r.status >= 400);
      };
      /** Every refusal leaves every table as it was; an accepted write moves the baseline on. */
      const unchanged = async (where: string, refused: boolean) => {
        const now = await checksum();
        const changed = Object.keys(now).filter((t) => now[t] !== last[t]);
        if (changed.length && refused) failures.push(`${where}: refused but wrote ${changed.join(', ')}`);
        last = now;
      };

      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const M = method.toUpperCase();
          // signing out (here or everywhere) ends the session the corpus runs on; uploads have their own test
          if (path === '/api/auth/logout' || path === '/api/auth/logout-everywhere' || path === '/api/attachments' && M === 'POST') continue;
          const good = ids(w.own);
          const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
          const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
          const fill = (values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_, n: string) => enc(values[n] ?? good[n] ?? 'form'));
          const goodQuery = query.includes('estateId') ? `estateId=${w.own.estateId}` : '';
          const url = (p: string, q: string) => `${p}${q ? `?${q}` : ''}`;
          const example = path === '/api/auth/login' ? { username: 'admin', password: 'x' } : { estateId: w.own.estateId, ...((op.requestBody?.content?.['application/json'] as { example?: Record<string, unknown> } | undefined)?.example ?? {}) };
          const hasBody = M !== 'GET' && M !== 'DELETE';
          const baseBody = hasBody ? JSON.stringify(example) : undefined;
          for (const [who] of clients) {
            // path parameters
            for (const name of params) {
              for (const s of hostilePath) await send(who, M, url(fill({ [name]: s }), goodQuery), baseBody, `{${name}}=${JSON.stringify(s.slice(0, 20))}`);
            }
            // query parameters
            for (const name of query) {
              for (const s of hostileStrings) {
                const q = [goodQuery && name !== 'estateId' ? goodQuery : '', `${enc(name)}=${enc(s)}`].filter(Boolean).join('&');
                await send(who, M, url(fill({}), q), baseBody, `?${name}=${JSON.stringify(s.slice(0, 20))}`);
              }
            }
            if (!hasBody) continue;
            // body fields: each top-level field of the example replaced by each hostile value
            const fields = Object.keys(example);
            for (const field of fields) {
              for (const v of hostileValues) {
                const body = JSON.stringify({ ...example, [field]: v }).replace(`"${DEEP}"`, deepJson);
                await send(who, M, url(fill({}), goodQuery), body, `.${field}=${JSON.stringify(v)?.slice(0, 20)}`);
              }
            }
            for (const b of hostileBodies) await send(who, M, url(fill({}), goodQuery), b, `body ${JSON.stringify(b.slice(0, 12))}`);
          }
          // reads write nothing, whatever they were sent
          if (M === 'GET') await unchanged(`GET ${path}`, true);
        }
      }
      expect(requests).toBeGreaterThan(1_000);
      expect(failures).toEqual([]);
      // the session survived the corpus: the clients still act
      expect((await w.own.admin.call('GET', '/api/auth/me')).status).toBe(200);
    });
  });
});
