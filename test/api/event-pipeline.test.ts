import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { auditLog, events, instances, tasks, timers } from '@estateflow/db';
import { createCompany, createEstate, sendEvent, startInstance } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { publishVersion } from '../../apps/api/src/services/definition-store.ts';
import { loadContexts } from '../../apps/api/src/services/event-store.ts';
import { ApiError } from '../../apps/api/src/errors.ts';
import { ticketBundle } from '../support/bundle.ts';
import { withDatabases } from '../support/db.ts';

// the ticket with one more event, NOTE, accepted again and again in `open` (it only assigns)
const notedTicket = structuredClone(ticketBundle);
{
  const wf = notedTicket.files['workflow.json'] as unknown as { events: Record<string, unknown>; machine: { states: { open: { on: Record<string, unknown> } } } };
  wf.events.NOTE = { label: { zh: '备注', en: 'Note' }, roles: ['technician', 'dispatcher'] };
  wf.machine.states.open.on.NOTE = { actions: [{ type: 'assign', params: { values: { note: "has(event.data.note) ? event.data.note : ''" } } }] };
}

// The event path reads without a lock and writes everything in one statement that checks the
// version it read: a failing write takes every other one back, concurrent writers are stepped
// again on the version they lost to, and what is cached in process (calendars) follows a publish.
withDatabases((kind, getDb) => {
  let place: { tenantId: string; estateId: string };
  beforeAll(async () => {
    const db = getDb();
    const tenantId = await createCompany(db, 'pipeline');
    const estateId = await createEstate(db, tenantId, { name: '颐园世家' });
    const pkg = await readBundleFolder(join(import.meta.dirname, '../../workflows/lost-and-found'));
    await installBundle(db, { tenantId, estateId, pkg, parameters: {}, source: 'catalogue', now: new Date() });
    await installBundle(db, { tenantId, estateId, pkg: notedTicket, parameters: {}, source: 'upload', now: new Date() });
    place = { tenantId, estateId };
  });

  it(`rolls back the snapshot, tasks and timers when one write of the event fails on ${kind}`, async () => {
    const db = getDb();
    const deps = { db, cache: new CompiledCache(), now: () => new Date('2026-06-01T09:00:00+08:00') };
    const actor = { id: randomUUID(), role: 'duty_manager' };
    const inst = await startInstance(deps, { ...place, workflowKey: 'lost-and-found', actor, data: { item: '钱包', quantity: 1, foundAt: '大堂', finderName: '李' } });
    // a history row already holding seq 2 makes the event insert fail after the snapshot update ran
    await db.insert(events).values({ tenantId: place.tenantId, instanceId: inst.id, seq: 2, type: 'X', data: {}, actorRole: 'system', at: new Date(), stateAfter: 'reported' });
    await expect(sendEvent(deps, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'REGISTER', data: { valueFen: 5000, storage: 'A-3', hasLead: false } } })).rejects.toThrow();
    const [row] = await db.select().from(instances).where(and(eq(instances.tenantId, place.tenantId), eq(instances.id, inst.id)));
    expect(row).toMatchObject({ version: 1, state: 'reported' });
    expect(await db.select().from(timers).where(eq(timers.instanceId, inst.id))).toHaveLength(0);
    expect((await db.select().from(tasks).where(eq(tasks.instanceId, inst.id))).map((t) => [t.key, t.status])).toEqual([['register', 'open']]);
  });

  it(`concurrent events on one instance all land, one version each, in the order they were applied on ${kind}`, async () => {
    const db = getDb();
    const deps = { db, cache: new CompiledCache(), now: () => new Date() };
    const actor = { id: randomUUID(), role: 'dispatcher' };
    const inst = await startInstance(deps, { ...place, workflowKey: 'test-ticket', actor, data: { summary: '门禁坏了' } });
    // on PostgreSQL the 8 events read version 1 at about the same time: all but one lose the write and are stepped again
    const notes = Array.from({ length: 8 }, (_, n) => `n${n}`);
    const sent = await Promise.all(notes.map((note) => sendEvent(deps, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note } } })));
    expect(sent.map((s) => s.instance.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const hist = await db.select().from(events).where(and(eq(events.tenantId, place.tenantId), eq(events.instanceId, inst.id)));
    expect(hist.map((e) => e.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(hist.filter((e) => e.type === 'NOTE').map((e) => (e.data as { note: string }).note).sort()).toEqual(notes);
    const [row] = await db.select().from(instances).where(and(eq(instances.tenantId, place.tenantId), eq(instances.id, inst.id)));
    // the row holds what the last applied event (seq 9) left
    const last = hist.find((e) => e.seq === 9)!;
    expect(row!.version).toBe(9);
    expect((row!.snapshot as { context: { data: { note: string } } }).context.data.note).toBe((last.data as { note: string }).note);
    const accepted = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, place.tenantId), eq(auditLog.target, `instance/${inst.id}`), eq(auditLog.action, 'event:NOTE')));
    expect(accepted.map((a) => a.outcome)).toEqual(notes.map(() => 'accepted'));
  });

  it(`a stale expectedVersion is a 409 naming the current version, writes nothing but the refusal's audit line on ${kind}`, async () => {
    const db = getDb();
    const deps = { db, cache: new CompiledCache(), now: () => new Date() };
    const actor = { id: randomUUID(), role: 'dispatcher' };
    const inst = await startInstance(deps, { ...place, workflowKey: 'test-ticket', actor, data: { summary: '电梯异响' } });
    await sendEvent(deps, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note: 'a' } }, expectedVersion: 1 });
    const stale = await sendEvent(deps, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note: 'b' } }, expectedVersion: 1 }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ApiError);
    expect(stale).toMatchObject({ reason: 'version-conflict', field: 'expectedVersion', status: 409 });
    expect((stale as ApiError).text.zh).toContain('当前版本 2');
    expect((stale as ApiError).text.en).toContain('version 2, you sent 1');
    const hist = await db.select().from(events).where(and(eq(events.tenantId, place.tenantId), eq(events.instanceId, inst.id)));
    expect(hist.map((e) => e.seq).sort()).toEqual([1, 2]);
    const lines = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, place.tenantId), eq(auditLog.target, `instance/${inst.id}`), eq(auditLog.action, 'event:NOTE')));
    expect(lines.map((l) => l.outcome).sort()).toEqual(['accepted', 'refused']);
  });

  it(`calendars are kept compiled until a publish changes them, and the next event sees the change on ${kind}`, async () => {
    const db = getDb();
    const cache = new CompiledCache();
    const deps = { db, cache, now: () => new Date() };
    const actor = { id: randomUUID(), role: 'dispatcher' };
    const inst = await startInstance(deps, { ...place, workflowKey: 'test-ticket', actor, data: { summary: '路灯不亮' } });
    const [before] = await loadContexts(db, [[place.tenantId, inst.id]]);
    const first = await cache.calendars(db, place.tenantId, place.estateId, before!.calendarStamp);
    expect(first['test-office']).toMatchObject({ week: { sat: [] } });
    // unchanged: the same object (compiled once), no read
    const [again] = await loadContexts(db, [[place.tenantId, inst.id]]);
    expect(again!.calendarStamp).toBe(before!.calendarStamp);
    expect(await cache.calendars(db, place.tenantId, place.estateId, again!.calendarStamp)).toBe(first);
    const office = { ...(notedTicket.files['calendars/test-office.calendar.json'] as Record<string, unknown>), week: { ...((notedTicket.files['calendars/test-office.calendar.json'] as { week: Record<string, unknown> }).week), sat: [['09:00', '12:00']] } };
    await db.transaction((tx) => publishVersion(tx, { ...place, document: office, changeNote: 'Saturday mornings', now: new Date() }));
    const [after] = await loadContexts(db, [[place.tenantId, inst.id]]);
    expect(after!.calendarStamp).not.toBe(before!.calendarStamp);
    const changed = await cache.calendars(db, place.tenantId, place.estateId, after!.calendarStamp);
    expect(changed['test-office']).toMatchObject({ week: { sat: [['09:00', '12:00']] } });
    const sent = await sendEvent(deps, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note: 'x' } } });
    expect(sent.instance.version).toBe(2);
  });
});
