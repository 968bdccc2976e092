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
// Two runs: a fixed table of values per field, and a fast-check property run that generates hostile
// requests (EF_FUZZ_RUNS, default 200; a failure prints EF_FUZZ_SEED to replay it).

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

/**
 * The property run's generators (fast-check): hostile JSON leaves (any UTF-16 code unit, NUL and
 * lone surrogates among them; long strings; numbers past every range, written as raw JSON tokens;
 * wrong types), nested values with hostile keys, nesting far past the 64-level bound.
 */
const RAW = '\u0001RAW:';
/** A JSON token written as is into the body text (`1e400` is not a JS number). */
const raw = (token: string): string => `${RAW}${token}\u0001`;
const unraw = (json: string): string => json.replace(/"\\u0001RAW:([^"\\]*)\\u0001"/g, '$1');
const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 3, arbitrary: fc.constantFrom<unknown>('\u0000', '\ud800', '\udfff', 'a\u0000b', 'x\udc00y', '9999-12', '9999-12-31', '0000-01', '-1', '', ' ', '../..', '__proto__', '%00') },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(70_000), '字'.repeat(300_000), 'y'.repeat(1_200_000)) },
  { weight: 3, arbitrary: fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '-0', '9007199254740993', '1.00000000000000000001', '0.1e-400').map(raw) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}) },
);
const hostileKey = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', '\u0000', '\ud800', '$ref', 'k'.repeat(5_000)));
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileLeaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(hostileKey, tie('v'), { maxKeys: 4 })),
})).v;
/** JSON nested `depth` deep, as objects or arrays. */
const nested = (depth: number, arrays: boolean): string => (arrays ? `${'['.repeat(depth)}0${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`);
/** How one generated request is hostile. */
const hostileRequest = fc.record({
  op: fc.nat(),
  who: fc.nat(1),
  where: fc.constantFrom('field', 'field', 'extra', 'deep', 'whole', 'query', 'query', 'path'),
  pick: fc.nat(),
  value: hostileValue,
  extras: fc.dictionary(hostileKey, hostileValue, { minKeys: 1, maxKeys: 4 }),
  depth: fc.integer({ min: 65, max: 12_000 }),
  arrays: fc.boolean(),
  text: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', '{', '{"a":1', '[1,]', '\u0000', '{"a":1}{"b":2}', '\ufeff{}', 'null')),
  query: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('\u0000', '\ud800', '-1', '1e400', '99999999999999999999', '9999-12', 'x'.repeat(10_000), '1.5', 'NaN', 'true', '[]')),
});

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

  /**
   * Sends one request as `who` and answers what is wrong with its answer: a 5xx, a refusal
   * without a zh and en message, or a refusal (of anything but a GET) that changed a table. Every
   * refusal leaves every table as it was; an accepted write moves the baseline on.
   */
  const prober = async () => {
    const cookies = new Map(clients.map(([who, c]) => [who, c.cookie]));
    let last = await checksum();
    const unchanged = async (where: string, refused: boolean): Promise<string[]> => {
      const now = await checksum();
      const changed = Object.keys(now).filter((t) => now[t] !== last[t]);
      last = now;
      return changed.length && refused ? [`${where}: refused but wrote ${changed.join(', ')}`] : [];
    };
    const send = async (who: string, method: string, url: string, body: string | undefined, label: string): Promise<string[]> => {
      const r = await w.app.request(url, { method, headers: { cookie: cookies.get(who)!, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body } : {}) });
      const text = await r.text();
      const where = `${who} ${method} ${url.slice(0, 120)} ${label}`;
      const wrong: string[] = [];
      if (r.status >= 500) wrong.push(`${where}: ${r.status} ${text.slice(0, 200)}`);
      else if (r.status >= 400) {
        let message: { zh?: unknown; en?: unknown } | undefined;
        try {
          message = (JSON.parse(text) as { error?: { message?: { zh?: unknown; en?: unknown } } }).error?.message;
        } catch {
          message = undefined;
        }
        if (typeof message?.zh !== 'string' || !/[\u4e00-\u9fff]/.test(message.zh) || typeof message.en !== 'string' || !/[a-z]/i.test(message.en)) {
          wrong.push(`${where}: ${r.status} without a zh/en message: ${text.slice(0, 200)}`);
        }
      }
      if (method !== 'GET') wrong.push(...(await unchanged(where, r.status >= 400)));
      return wrong;
    };
    return { send, unchanged };
  };

  /** Signing out (here or everywhere) ends the session the corpus runs on; uploads have their own test. */
  const skipped = (path: string, M: string) => path === '/api/auth/logout' || path === '/api/auth/logout-everywhere' || (path === '/api/attachments' && M === 'POST');
  /** A route's path and query parameters, its URL with good ids filled in, and the example body the corpus spoils one part of. */
  const shapeOf = (path: string, M: string, op: Operation) => {
    const good = ids(w.own);
    const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
    const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    const fill = (values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_, n: string) => enc(values[n] ?? good[n] ?? 'form'));
    const goodQuery = query.includes('estateId') ? `estateId=${w.own.estateId}` : '';
    const url = (p: string, q: string) => `${p}${q ? `?${q}` : ''}`;
    const example: Record<string, unknown> = path === '/api/auth/login' ? { username: 'admin', password: 'x' } : { estateId: w.own.estateId, ...((op.requestBody?.content?.['application/json'] as { example?: Record<string, unknown> } | undefined)?.example ?? {}) };
    const hasBody = M !== 'GET' && M !== 'DELETE';
    const baseBody = hasBody ? JSON.stringify(example) : undefined;
    return { params, query, fill, goodQuery, url, example, hasBody, baseBody };
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
      let requests = 0;
      const { send: check, unchanged: same } = await prober();
      const send = async (who: string, method: string, url: string, body: string | undefined, label: string) => {
        requests++;
        failures.push(...(await check(who, method, url, body, label)));
      };
      const unchanged = async (where: string, refused: boolean) => failures.push(...(await same(where, refused)));

      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const M = method.toUpperCase();
          if (skipped(path, M)) continue;
          const { params, query, fill, goodQuery, url, example, hasBody, baseBody } = shapeOf(path, M, op);
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

    it('a fast-check property run: generated hostile bodies, query and path parameters at every route answer below 500, refuse in zh and en, and a refusal writes nothing', { timeout: 300_000 }, async () => {
      const ops = Object.entries(doc.paths).flatMap(([path, o]) => Object.entries(o).map(([method, op]) => ({ path, M: method.toUpperCase(), op }))).filter((r) => !skipped(r.path, r.M));
      const { send } = await prober();
      // EF_FUZZ_SEED replays a failed run; EF_FUZZ_RUNS runs more (the default keeps the file well under a minute)
      const seed = Number(process.env.EF_FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
      const numRuns = Number(process.env.EF_FUZZ_RUNS) || 200;
      const routes = new Set<string>();
      let lastWrong = '';
      const property = fc.asyncProperty(hostileRequest, async (h) => {
        const { path, M, op } = ops[h.op % ops.length]!;
        routes.add(`${M} ${path}`);
        const who = clients[h.who]![0];
        const { params, query, fill, goodQuery, url, example, hasBody, baseBody } = shapeOf(path, M, op);
        const fields = Object.keys(example);
        const field = fields[h.pick % Math.max(fields.length, 1)];
        let where: string = h.where;
        if (!hasBody && ['field', 'extra', 'deep', 'whole'].includes(where)) where = 'query';
        if (where === 'path' && params.length === 0) where = 'query';
        let target = url(fill({}), goodQuery);
        let body = baseBody;
        let label = where;
        if (where === 'field' || where === 'deep') {
          const spoilt = where === 'deep' ? raw(nested(h.depth, h.arrays)) : h.value;
          body = unraw(JSON.stringify(field === undefined ? spoilt : { ...example, [field]: spoilt }));
          label = `.${field ?? ''}=${body.slice(0, 60)}`;
        } else if (where === 'extra') {
          body = unraw(JSON.stringify({ ...example, ...h.extras }));
          label = `extra ${Object.keys(h.extras).map((k) => JSON.stringify(k.slice(0, 12))).join(',')}`;
        } else if (where === 'whole') {
          body = h.pick % 2 ? unraw(JSON.stringify(h.value)) : h.text;
          label = `body ${JSON.stringify(body.slice(0, 40))}`;
        } else if (where === 'path') {
          const name = params[h.pick % params.length]!;
          target = url(fill({ [name]: h.query }), goodQuery);
          label = `{${name}}=${JSON.stringify(h.query.slice(0, 20))}`;
        } else {
          const names = [...query, 'limit', 'offset', 'cursor', h.query.slice(0, 8) || 'x'];
          const name = names[h.pick % names.length]!;
          target = url(fill({}), [goodQuery && name !== 'estateId' ? goodQuery : '', `${enc(name)}=${enc(h.query)}`].filter(Boolean).join('&'));
          label = `?${name}=${JSON.stringify(h.query.slice(0, 20))}`;
        }
        let wrong: string[];
        try {
          wrong = await send(who, M, target, body, label);
        } catch (e) {
          // the test app checks every answer against /api/openapi.json and throws on a mismatch
          wrong = [`${who} ${M} ${target.slice(0, 120)} ${label.slice(0, 80)}: ${(e as Error).message}`];
        }
        if (wrong.length) throw new Error((lastWrong = wrong.map((x) => x.slice(0, 400)).join('\n')));
      });
      try {
        await fc.assert(property, { seed, numRuns, endOnFailure: true });
      } catch (e) {
        // the counterexample holds strings of a megabyte: the seed and what went wrong say it all
        throw new Error(`the hostile property run failed; replay it with EF_FUZZ_SEED=${seed}\n${lastWrong || (e as Error).message.slice(0, 2_000)}`);
      }
      expect(routes.size).toBeGreaterThan(Math.min(30, numRuns / 4));
      expect((await w.own.admin.call('GET', '/api/auth/me')).status).toBe(200);
    });
  });
});
