import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { beforeAll, expect, it } from 'vitest';
import { auditLog, idempotencyKeys, payments, units } from '@estateflow/db';
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
    const deps = { db, config: defaultConfig(testConfig), cache: new CompiledCache() };
    const userId = w.userIds.get('admin')!;
    const app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      c.set('deps', deps);
      c.set('auth', { tenantId: w.own.tenantId, userId, username: 'admin', displayName: 'admin', locale: 'zh', roles: new Map(), permissions: new Map(), mustChangePassword: false, demo: false });
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
});
