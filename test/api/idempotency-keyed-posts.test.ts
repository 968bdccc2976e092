import { createHash, randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { beforeAll, expect, it } from 'vitest';
import { auditLog, events, idempotencyKeys, instances, payments, units } from '@estateflow/db';
import { defaultConfig, type AppEnv } from '@estateflow/api';
import { onError } from '../../apps/api/src/errors.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { idempotency } from '../../apps/api/src/services/idempotency.ts';
import { withDatabases } from '../support/db.ts';
import { testConfig } from '../support/api.ts';
import { buildWorld, type World } from '../support/world.ts';

// Every keyed POST besides starts and events runs in one transaction with its key (services/idempotency.ts):
// the key commits with the effect or not at all, and a second request with the key waits and replays.
withDatabases((kind, getDb) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });
  const keyRow = async (key: string) => (await getDb().select().from(idempotencyKeys).where(and(eq(idempotencyKeys.tenantId, w.own.tenantId), eq(idempotencyKeys.key, key))))[0];

  it(`the same keyed payment sent three times at once is recorded once, and every answer is its answer, on ${kind}`, async () => {
    const [unit] = await getDb().select().from(units).where(and(eq(units.tenantId, w.own.tenantId), eq(units.estateId, w.own.estateId)));
    const finance = w.clients.get('finance')!;
    const key = randomUUID();
    const body = { estateId: w.own.estateId, unitId: unit!.id, amountFen: 31_415, method: 'cash' };
    const answers = await Promise.all([0, 1, 2].map(() => finance.call('POST', '/api/billing/payments', body, { 'idempotency-key': key })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.payment.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    const rows = await getDb().select().from(payments).where(and(eq(payments.tenantId, w.own.tenantId), eq(payments.amountFen, 31_415)));
    expect(rows.map((r) => r.id)).toEqual([answers[0]!.body.payment.id]);
    expect(await keyRow(key)).toMatchObject({ statusCode: 200 });
    // a refused payment (dated tomorrow) stores its refusal and writes nothing; the retry gets the same 422
    const refusedKey = randomUUID();
    const future = { ...body, amountFen: 27_182, receivedOn: '2999-01-01' };
    const refused = await finance.call('POST', '/api/billing/payments', future, { 'idempotency-key': refusedKey });
    expect(refused.status).toBe(422);
    const again = await finance.call('POST', '/api/billing/payments', future, { 'idempotency-key': refusedKey });
    expect(again).toMatchObject({ status: 422, body: refused.body });
    expect(await getDb().select().from(payments).where(and(eq(payments.tenantId, w.own.tenantId), eq(payments.amountFen, 27_182)))).toEqual([]);
  });

  it(`a keyed task claim is replayed with its answer, on ${kind}`, async () => {
    const tech = w.clients.get('technician')!;
    const key = randomUUID();
    const first = await tech.call('POST', `/api/tasks/${w.own.taskId}/claim`, {}, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    const second = await tech.call('POST', `/api/tasks/${w.own.taskId}/claim`, {}, { 'idempotency-key': key });
    expect(second).toMatchObject({ status: 200, body: first.body });
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it(`a keyed request that fails with a 5xx after writing leaves neither its write nor its key; one that succeeds leaves both, on ${kind}`, async () => {
    const db = getDb();
    const deps = { db, reportDb: db, config: defaultConfig(testConfig), cache: new CompiledCache() };
    const userId = w.userIds.get('admin')!;
    const app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      c.set('deps', deps);
      c.set('auth', { tenantId: w.own.tenantId, userId, username: 'admin', displayName: 'admin', locale: 'zh', largeText: false, roles: new Map(), permissions: new Map(), mustChangePassword: false, demo: false, at: new Date() });
      await next();
    });
    app.use('*', idempotency);
    app.post('/api/probe/:outcome', async (c) => {
      // the route writes through deps.db, as every route does, then fails or answers
      await c.get('deps').db.insert(auditLog).values({ tenantId: w.own.tenantId, id: randomUUID(), action: 'probe', target: c.req.param('outcome'), outcome: 'accepted' });
      if (c.req.param('outcome') === 'crash') throw new Error('the process fails here');
      return c.json({ ok: true }, 201);
    });
    app.onError(onError);
    const probes = async (target: string) => (await db.select().from(auditLog).where(and(eq(auditLog.tenantId, w.own.tenantId), eq(auditLog.action, 'probe'), eq(auditLog.target, target)))).length;
    const failKey = randomUUID();
    const failed = await app.request('/api/probe/crash', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': failKey }, body: '{}' });
    expect(failed.status).toBe(500);
    expect(await probes('crash')).toBe(0);
    expect(await keyRow(failKey)).toBeUndefined();
    const okKey = randomUUID();
    const ok = await app.request('/api/probe/ok', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': okKey }, body: '{}' });
    expect(ok.status).toBe(201);
    const replay = await app.request('/api/probe/ok', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': okKey }, body: '{}' });
    expect(replay.status).toBe(201);
    expect(await probes('ok')).toBe(1);
    expect(await keyRow(okKey)).toMatchObject({ statusCode: 201, response: { ok: true } });
  });

  it(`a key an older version left "in progress" is absent once past the lease (start, event, payment run afresh); a young one still answers 409, on ${kind}`, async () => {
    const db = getDb();
    const dispatcher = w.clients.get('dispatcher')!;
    const finance = w.clients.get('finance')!;
    const [unit] = await db.select().from(units).where(and(eq(units.tenantId, w.own.tenantId), eq(units.estateId, w.own.estateId)));
    /** the row a version before keys committed with their effect reserved, and never finished (kill -9) */
    const leftInProgress = async (role: 'dispatcher' | 'finance', path: string, body: unknown, minutesAgo: number) => {
      const key = randomUUID();
      const requestHash = createHash('sha256').update(`POST ${path}\n`).update(JSON.stringify(body)).digest('hex');
      await db.insert(idempotencyKeys).values({
        tenantId: w.own.tenantId, userId: w.userIds.get(role)!, key, method: 'POST', path, requestHash, statusCode: 0, response: {},
        createdAt: new Date(Date.now() - minutesAgo * 60_000),
      });
      return key;
    };
    const countWhere = async (table: typeof payments | typeof instances, amountOrSummary: number | string) => typeof amountOrSummary === 'number'
      ? (await db.select().from(payments).where(and(eq(payments.tenantId, w.own.tenantId), eq(payments.amountFen, amountOrSummary)))).length
      // a start's history row carries its data
      : (await db.select().from(events).where(and(eq(events.tenantId, w.own.tenantId), eq(events.seq, 1), sql`${events.data}->>'summary' = ${amountOrSummary}`))).length;

    // a start: stale (10 minutes) → applied once, then replayed
    const start = { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: 'stale-start' } };
    const startKey = await leftInProgress('dispatcher', '/api/instances', start, 10);
    const started = await dispatcher.call('POST', '/api/instances', start, { 'idempotency-key': startKey });
    expect(started.status).toBe(201);
    const again = await dispatcher.call('POST', '/api/instances', start, { 'idempotency-key': startKey });
    expect(again).toMatchObject({ status: 201, body: { id: started.body.id } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await countWhere(instances, 'stale-start')).toBe(1);
    expect(await keyRow(startKey)).toMatchObject({ statusCode: 201 });

    // an event: stale → applied once
    const eventPath = `/api/instances/${started.body.id}/events`;
    const ack = { type: 'ACK', data: { note: 'on it' } };
    const eventKey = await leftInProgress('dispatcher', eventPath, ack, 10);
    const acked = await dispatcher.call('POST', eventPath, ack, { 'idempotency-key': eventKey });
    expect(acked.status).toBe(200);
    expect((await dispatcher.call('POST', eventPath, ack, { 'idempotency-key': eventKey })).headers.get('idempotent-replayed')).toBe('true');
    expect((await db.select().from(events).where(and(eq(events.tenantId, w.own.tenantId), eq(events.instanceId, started.body.id), eq(events.type, 'ACK')))).length).toBe(1);

    // a payment (the other keyed POSTs' transaction): stale → recorded once; stale with another body counts as absent too
    const pay = { estateId: w.own.estateId, unitId: unit!.id, amountFen: 16_016, method: 'cash' };
    const payKey = await leftInProgress('finance', '/api/billing/payments', pay, 10);
    const paid = await finance.call('POST', '/api/billing/payments', pay, { 'idempotency-key': payKey });
    expect(paid.status).toBe(200);
    expect((await finance.call('POST', '/api/billing/payments', pay, { 'idempotency-key': payKey })).body.payment.id).toBe(paid.body.payment.id);
    expect(await countWhere(payments, 16_016)).toBe(1);
    const otherKey = await leftInProgress('finance', '/api/billing/payments', { ...pay, amountFen: 1 }, 10);
    expect((await finance.call('POST', '/api/billing/payments', { ...pay, amountFen: 16_017 }, { 'idempotency-key': otherKey })).status).toBe(200);

    // still within the lease (a holder may be alive): 409, nothing applied, the row kept
    const youngStart = await leftInProgress('dispatcher', '/api/instances', { ...start, data: { summary: 'young-start' } }, 0);
    const busy = await dispatcher.call('POST', '/api/instances', { ...start, data: { summary: 'young-start' } }, { 'idempotency-key': youngStart });
    expect(busy).toMatchObject({ status: 409, body: { error: { reason: 'conflict', field: 'Idempotency-Key' } } });
    expect(busy.body.error.message.zh).toContain('仍在处理中');
    expect(await countWhere(instances, 'young-start')).toBe(0);
    const youngPay = await leftInProgress('finance', '/api/billing/payments', { ...pay, amountFen: 16_018 }, 0);
    expect((await finance.call('POST', '/api/billing/payments', { ...pay, amountFen: 16_018 }, { 'idempotency-key': youngPay })).status).toBe(409);
    expect(await countWhere(payments, 16_018)).toBe(0);
    expect(await keyRow(youngPay)).toMatchObject({ statusCode: 0 });
    // the same key with another body is still the client's mistake
    expect((await finance.call('POST', '/api/billing/payments', { ...pay, amountFen: 16_019 }, { 'idempotency-key': youngPay })).status).toBe(422);
  });
});
