import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { events, instances, timers } from '@estateflow/db';
import { createCompany, createEstate, createUser, runWorkerOnce } from '@estateflow/api';
import { ticketBundle } from '../support/bundle.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';

// On PostgreSQL both claim transactions are open at once (the point of the test); PGlite has one
// connection and runs them one after the other, which must give the same answer.
withDatabases((kind, getDb) => {
  it(`two concurrent runWorkerOnce calls claim disjoint timers: each fires its own batch, none is skipped or fired twice on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, 'C');
    const estateId = await createEstate(db, tenantId, { name: 'C' });
    await createUser(db, testConfig as never, { tenantId, username: 'claims-admin', password: 'pw', roles: [{ estateId, role: 'admin' }] });
    // started ten minutes ago: every 1-minute timer is already due
    const app = testApp(db, { now: () => new Date(Date.now() - 10 * 60_000) });
    const admin = await signIn(app, 'claims-admin', 'pw');
    await admin.call('POST', '/api/bundles/install', { estateId, package: ticketBundle });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await admin.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: `c${i}` } })).body.id);

    // the old worker read the same oldest candidates in both calls, so one fired them and the other skipped them;
    // with the delay both transactions are open at the same time
    const opts = { db, batchSize: 5, concurrency: 1, stepDelayMs: 100 };
    const [a, b] = await Promise.all([runWorkerOnce({ ...opts, workerId: 'ca' }), runWorkerOnce({ ...opts, workerId: 'cb' })]);
    expect([a.fired, a.skipped, b.fired, b.skipped]).toEqual([5, 0, 5, 0]);

    const rows = await db.select().from(timers).where(eq(timers.tenantId, tenantId));
    expect(rows.every((t) => t.status === 'fired')).toBe(true);
    const byWorker = (w: string) => new Set(rows.filter((t) => t.firedBy === w).map((t) => t.instanceId));
    expect(byWorker('ca').size).toBe(5);
    expect(byWorker('cb').size).toBe(5);
    expect([...byWorker('ca')].some((id) => byWorker('cb').has(id))).toBe(false);
    const system = await db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.actorRole, 'system')));
    expect(ids.map((id) => system.filter((e) => e.instanceId === id).length)).toEqual(ids.map(() => 1));
  });
});

// A batch is written in one statement, each instance's events in their own subtransaction: one
// instance whose writes fail is undone alone (its timer stays armed for a later round), the others fire.
withDatabases((kind, getDb) => {
  it(`one instance's failing writes leave its timer armed and the rest of the batch fired on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, 'F');
    const estateId = await createEstate(db, tenantId, { name: 'F' });
    await createUser(db, testConfig as never, { tenantId, username: 'fail-admin', password: 'pw', roles: [{ estateId, role: 'admin' }] });
    const app = testApp(db, { now: () => new Date(Date.now() - 10 * 60_000) });
    const admin = await signIn(app, 'fail-admin', 'pw');
    await admin.call('POST', '/api/bundles/install', { estateId, package: ticketBundle });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await admin.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: `f${i}` } })).body.id);
    // a history row already holding seq 2 at the worker's instant makes the timer event's insert fail for this one
    // instance (history is partitioned by month: its key is tenant, instance, seq, at)
    const broken = ids[1]!;
    const instant = new Date();
    await db.insert(events).values({ tenantId, instanceId: broken, seq: 2, type: 'X', data: {}, actorRole: 'system', at: instant, stateAfter: 'open' });
    const errors: unknown[] = [];
    const r = await runWorkerOnce({ db, workerId: 'fw', batchSize: 10, concurrency: 1, now: () => instant, onError: (e) => errors.push(e) });
    expect([r.fired, r.skipped, r.cancelled]).toEqual([3, 1, 0]);
    expect(String(errors[0])).toContain(broken);
    const rows = await db.select().from(timers).where(eq(timers.tenantId, tenantId));
    expect(rows.filter((t) => t.status === 'armed').map((t) => t.instanceId)).toEqual([broken]);
    expect(rows.filter((t) => t.status === 'fired').map((t) => t.instanceId).sort()).toEqual(ids.filter((id) => id !== broken).sort());
    const system = await db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.actorRole, 'system')));
    expect(system.filter((e) => e.type !== 'X').map((e) => e.instanceId).sort()).toEqual(ids.filter((id) => id !== broken).sort());
    const [still] = await db.select().from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, broken)));
    expect(still).toMatchObject({ version: 1, state: 'open' });
  });
});
