import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, units, type DbHandle } from '@estateflow/db';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { ticketBundle } from '../support/bundle.ts';
import { databaseKinds, freshDatabase, type FreshDatabase } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';
import { httpClient, signInHttp } from '../support/http-client.ts';
import { freePort, startServer, stop, type ServerProcess } from '../support/server-process.ts';
import { bundleServer } from '../support/server-build.ts';

const rounds = Number(process.env.EF_CRASH_ROUNDS ?? 5);

/** One keyed request, sent again with the same key and body until it gets an answer. */
interface Op {
  kind: 'start' | 'event' | 'payment';
  key: string;
  path: string;
  body: Record<string, unknown>;
  /** what identifies its effect: the start's summary, the event's instance, the payment's amount */
  tag: string;
  answers: { status: number; body: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** the request that was in flight when the server died */
  interrupted?: boolean;
}

// Retries that never wedge (issue 16): the real server is killed with SIGKILL at a random moment
// while clients send keyed starts, events and payments; after each restart every interrupted
// request is sent again with its key and body. Each must end with the stored answer or a fresh
// apply: no key stuck "in progress", nothing applied twice, every history equal to its snapshot.
// On each database of the run (PGlite always, PostgreSQL when DATABASE_URL is set).
for (const kind of databaseKinds()) describe(`keyed requests across kill -9 of the server, on ${kind}`, () => {
  let fresh: FreshDatabase | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ef-idem-crash-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    if (server) await stop(server);
    await fresh?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`every retry with the same key ends with one apply, over ${rounds} kills`, async () => {
    let env: Record<string, string>;
    let open: () => Promise<DbHandle>;
    if (kind === 'postgres') {
      fresh = await freshDatabase('postgres');
      const url = fresh.url!;
      env = { DATABASE_URL: url };
      open = async () => ({ ...fresh!.handle, close: async () => {} });
    } else {
      const dataDir = join(dir, 'pglite');
      env = { PGLITE_DIR: dataDir };
      open = () => createDb({ dataDir });
    }
    // built once, started every round without the tsx loader (a round is mostly the restart)
    const main = await bundleServer(dir);
    const seed = await open();
    const tenantId = await createCompany(seed.db, 'Idem');
    const estateId = await createEstate(seed.db, tenantId, { name: 'Idem', buildings: [{ name: '1栋', units: ['1-101'] }] });
    const [unit] = await seed.db.select().from(units).where(and(eq(units.tenantId, tenantId), eq(units.estateId, estateId)));
    await createUser(seed.db, testConfig as never, { tenantId, username: 'admin', password: 'pw', roles: [{ estateId, role: 'admin' }] });
    await createUser(seed.db, testConfig as never, { tenantId, username: 'dispatcher', password: 'pw', roles: [{ estateId, role: 'dispatcher' }] });
    await createUser(seed.db, testConfig as never, { tenantId, username: 'finance', password: 'pw', roles: [{ estateId, role: 'finance' }] });
    const admin = await signIn(testApp(seed.db), 'admin', 'pw');
    expect((await admin.call('POST', '/api/bundles/install', { estateId, package: ticketBundle })).status).toBe(200);
    await seed.close();

    const ops: Op[] = [];
    let pending: Op[] = [];
    let amount = 100;
    const cookies: Record<string, string> = {};
    for (let round = 0; round < rounds; round++) {
      server = startServer({ ...env, EF_NO_WORKER: '1' }, await freePort(), main);
      await server.listening;
      const port = server.port;
      for (const u of ['dispatcher', 'finance']) cookies[u] ??= (await signInHttp(port, u, 'pw')).cookie;
      const dispatcher = httpClient(port, cookies.dispatcher);
      const finance = httpClient(port, cookies.finance);
      const send = async (op: Op): Promise<boolean> => {
        try {
          const r = await (op.kind === 'payment' ? finance : dispatcher).call('POST', op.path, op.body, { 'idempotency-key': op.key });
          op.answers.push(r);
          return true;
        } catch {
          op.interrupted = true;
          pending.push(op);
          return false;
        }
      };
      // first, every request interrupted by the last kill, with its key and body
      const retry = pending;
      pending = [];
      for (const op of retry) expect(await send(op)).toBe(true);

      let alive = true;
      let acks = 0;
      let firstAck: () => void = () => {};
      const flowing = new Promise<void>((r) => (firstAck = r));
      const op = (o: Omit<Op, 'key' | 'answers'>): Op => {
        const full = { ...o, key: randomUUID(), answers: [] };
        ops.push(full);
        return full;
      };
      const writer = async (w: number) => {
        for (let i = 0; alive; i++) {
          const start = op({ kind: 'start', path: '/api/instances', body: { estateId, workflow: 'test-ticket', data: { summary: `r${round}w${w}#${i}` } }, tag: `r${round}w${w}#${i}` });
          if (!(await send(start))) return;
          if (++acks === 1) firstAck();
          const id = start.answers[0]?.body.id as string;
          if (!(await send(op({ kind: 'event', path: `/api/instances/${id}/events`, body: { type: 'ACK', data: { note: 'on it' } }, tag: id })))) return;
          const fen = amount++;
          if (!(await send(op({ kind: 'payment', path: '/api/billing/payments', body: { estateId, unitId: unit!.id, amountFen: fen, method: 'cash' }, tag: String(fen) })))) return;
        }
      };
      const writers = [0, 1, 2].map(writer);
      await flowing;
      await new Promise((r) => setTimeout(r, Math.random() * 1200));
      alive = false;
      await stop(server);
      await Promise.all(writers);
    }
    // a last start to answer whatever the last kill interrupted
    server = startServer({ ...env, EF_NO_WORKER: '1' }, await freePort(), main);
    await server.listening;
    for (const op of pending) {
      const r = await httpClient(server.port, cookies[op.kind === 'payment' ? 'finance' : 'dispatcher']).call('POST', op.path, op.body, { 'idempotency-key': op.key });
      op.answers.push(r);
    }
    await stop(server, 'SIGTERM');
    server = undefined;

    const interrupted = ops.filter((o) => o.interrupted);
    expect(interrupted.length).toBeGreaterThanOrEqual(rounds);
    // every request ended with a success: the stored answer or a fresh apply (never 409 "in progress", never refused as applied already)
    const failed = ops.filter((o) => !o.answers.some((a) => a.status === 200 || a.status === 201)).map((o) => ({ kind: o.kind, answers: o.answers }));
    expect(failed).toEqual([]);

    const check = await open();
    try {
      const q = async <T>(query: ReturnType<typeof sql>): Promise<T[]> => {
        const r = await check.db.execute(query);
        return (Array.isArray(r) ? r : (r as unknown as { rows: T[] }).rows) as T[];
      };
      expect(await q(sql`select key from idempotency_keys where tenant_id = ${tenantId} and status_code = 0`)).toEqual([]);
      // applied once: one request per start's summary, one ACK per instance, one payment per amount
      const starts = await q<{ summary: string; n: number }>(sql`select data->>'summary' as summary, count(*)::int as n from events where tenant_id = ${tenantId} and seq = 1 group by 1`);
      const startCount = new Map(starts.map((r) => [r.summary, r.n]));
      const acks = await q<{ id: string; n: number }>(sql`select instance_id as id, count(*)::int as n from events where tenant_id = ${tenantId} and type = 'ACK' group by 1`);
      const ackCount = new Map(acks.map((r) => [r.id, r.n]));
      const pays = await q<{ fen: string; n: number }>(sql`select amount_fen::text as fen, count(*)::int as n from payments where tenant_id = ${tenantId} group by 1`);
      const payCount = new Map(pays.map((r) => [r.fen, r.n]));
      const applied = (o: Op) => (o.kind === 'start' ? startCount : o.kind === 'event' ? ackCount : payCount).get(o.tag) ?? 0;
      expect(ops.filter((o) => applied(o) !== 1).map((o) => ({ kind: o.kind, tag: o.tag, applied: applied(o), answers: o.answers.map((a) => a.status) }))).toEqual([]);
      // every answer to one key is the same answer
      expect(ops.filter((o) => o.answers.length > 1 && new Set(o.answers.map((a) => JSON.stringify([a.status, a.body.id ?? a.body.payment?.id ?? a.body.version]))).size > 1)).toEqual([]);
      // every history equals its snapshot
      const drift = await q(sql`select i.id from instances i left join events e on e.tenant_id = i.tenant_id and e.instance_id = i.id
        where i.tenant_id = ${tenantId} group by i.id, i.version having i.version <> coalesce(max(e.seq), 0) or i.version <> count(e.seq)`);
      expect(drift).toEqual([]);
    } finally {
      await check.close();
    }
  }, 900_000);
});
