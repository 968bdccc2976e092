import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { auditLog, events, instances, outbox, tasks, timers } from '@estateflow/db';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

withDatabases((kind, getDb) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(getDb());
  });

  it(`starts an instance pinned to the published version, with a task, a timer and history on ${kind}`, async () => {
    const tech = w.clients.get('technician')!;
    const res = await tech.call('GET', `/api/instances/${w.own.instanceId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ workflow: 'test-ticket', workflowVersion: 1, state: 'open', status: 'active', version: 1, grade: 'major' });
    expect(res.body.actions.map((a: { type: string }) => a.type)).toEqual(['ACK']);
    expect(res.body.tasks).toHaveLength(1);
    expect(res.body.tasks[0]).toMatchObject({ key: 'ack', role: 'technician', status: 'open' });
    expect(res.body.timers).toHaveLength(1);
    const history = await tech.call('GET', `/api/instances/${w.own.instanceId}/history`);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ seq: 1, type: 'start', data: { summary: '漏水', grade: 'major' } });
  });

  it(`accepts an event in one transaction: snapshot version + 1, event row, task closed, timer cancelled on ${kind}`, async () => {
    const tech = w.clients.get('technician')!;
    const res = await tech.call('POST', `/api/instances/${w.own.instanceId}/events`, { type: 'ACK', data: { note: '已到场' }, expectedVersion: 1 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ state: 'working', version: 2, data: { note: '已到场' } });
    const db = getDb();
    const evs = await db.select().from(events).where(and(eq(events.tenantId, w.own.tenantId), eq(events.instanceId, w.own.instanceId)));
    expect(evs.map((e) => [e.seq, e.type, e.actorRole])).toEqual([[1, 'start', 'admin'], [2, 'ACK', 'technician']]);
    const ts = await db.select().from(tasks).where(and(eq(tasks.tenantId, w.own.tenantId), eq(tasks.instanceId, w.own.instanceId)));
    expect(ts.map((t) => t.status)).toEqual(['done']);
    const tm = await db.select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, w.own.instanceId)));
    expect(tm.map((t) => t.status)).toEqual(['cancelled']);
  });

  it(`refuses invalid form data with 422 naming the field, and writes nothing but an audit line on ${kind}`, async () => {
    const tech = w.clients.get('technician')!;
    const db = getDb();
    const id = w.otherEstate.instanceId; // untouched instance, but in another estate: use own estate's fresh one
    expect(id).toBeTruthy();
    const started = await w.own.admin.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: '噪音' } });
    const iid = started.body.id as string;
    const before = await db.select().from(instances).where(and(eq(instances.tenantId, w.own.tenantId), eq(instances.id, iid)));
    const outboxBefore = (await db.select().from(outbox).where(eq(outbox.tenantId, w.own.tenantId))).length;
    const res = await tech.call('POST', `/api/instances/${iid}/events`, { type: 'ACK', data: { note: '' }, expectedVersion: 1 });
    expect(res.status).toBe(422);
    expect(res.body.error.reason).toBe('form-invalid');
    expect(res.body.error.field).toMatch(/^\/?note$/);
    expect(res.body.error.message.zh).toBeTruthy();
    expect(res.body.error.message.en).toBeTruthy();
    const refused = await tech.call('POST', `/api/instances/${iid}/events`, { type: 'CLOSE', data: {}, expectedVersion: 1 });
    expect(refused.status).toBe(422);
    expect(refused.body.error.reason).toBe('event-refused');
    const after = await db.select().from(instances).where(and(eq(instances.tenantId, w.own.tenantId), eq(instances.id, iid)));
    expect(after).toEqual(before);
    expect((await db.select().from(events).where(and(eq(events.tenantId, w.own.tenantId), eq(events.instanceId, iid)))).length).toBe(1);
    expect((await db.select().from(outbox).where(eq(outbox.tenantId, w.own.tenantId))).length).toBe(outboxBefore);
    const lines = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, w.own.tenantId), eq(auditLog.target, `instance/${iid}`), eq(auditLog.outcome, 'refused')));
    expect(lines.map((l) => l.action).sort()).toEqual(['event:ACK', 'event:CLOSE']);
  });

  it(`answers a stale expectedVersion with 409 and a zh/en message on ${kind}`, async () => {
    const dispatcher = w.clients.get('dispatcher')!;
    const res = await dispatcher.call('POST', `/api/instances/${w.own.instanceId}/events`, { type: 'CLOSE', data: {}, expectedVersion: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ reason: 'version-conflict', field: 'expectedVersion' });
    expect(res.body.error.message.zh).toMatch(/版本/);
  });

  it(`lets two concurrent sends with the same expectedVersion produce one 200 and one 409 on ${kind}`, async () => {
    const started = await w.own.admin.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'test-ticket', data: { summary: '并发' } });
    const iid = started.body.id as string;
    const tech = w.clients.get('technician')!;
    const dispatcher = w.clients.get('dispatcher')!;
    const results = await Promise.all([
      tech.call('POST', `/api/instances/${iid}/events`, { type: 'ACK', data: { note: 'a' }, expectedVersion: 1 }),
      dispatcher.call('POST', `/api/instances/${iid}/events`, { type: 'ACK', data: { note: 'b' }, expectedVersion: 1 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const hist = await tech.call('GET', `/api/instances/${iid}/history`);
    expect(hist.body.items).toHaveLength(2);
  });

  it(`lists and filters instances by workflow, grade, status and text on ${kind}`, async () => {
    const fd = w.clients.get('front_desk')!;
    const all = await fd.call('GET', `/api/instances?estateId=${w.own.estateId}&workflow=test-ticket&total=true`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(3);
    const major = await fd.call('GET', `/api/instances?estateId=${w.own.estateId}&grade=major`);
    expect(major.body.items.map((i: { id: string }) => i.id)).toEqual([w.own.instanceId]);
    const text = await fd.call('GET', `/api/instances?q=${encodeURIComponent('噪音')}`);
    expect(text.body.items).toHaveLength(1);
    const working = await fd.call('GET', `/api/instances?estateId=${w.own.estateId}&state=working`);
    expect(working.body.items.length).toBeGreaterThanOrEqual(1);
    expect(working.body.items.every((i: { state: string }) => i.state === 'working')).toBe(true);
  });
});
