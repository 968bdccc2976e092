import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { auditLog, definitionVersions, events, instances, tasks, timers, type Instance } from '@estateflow/db';
import { createCompany, createEstate, sendEvent, startInstance } from '@estateflow/api';
import { installBundle, readBundleFolder } from '../../apps/api/src/services/bundles.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { publishVersion } from '../../apps/api/src/services/definition-store.ts';
import { FastEventStore, fingerprintOf, type InstanceContext, type InstanceKey, type WritePlan } from '../../apps/api/src/store/index.ts';
import { ApiError } from '../../apps/api/src/errors.ts';
import { ticketBundle } from '../support/bundle.ts';
import { withDatabases } from '../support/db.ts';

// the ticket with one more event, NOTE, accepted again and again in `open` (it only assigns)
const notedTicket = structuredClone(ticketBundle);
{
  const wf = notedTicket.files['workflow.json'] as unknown as { events: Record<string, unknown>; machine: { states: { open: { on: Record<string, unknown> } } } };
  wf.events.NOTE = { label: { zh: '备注', en: 'Note' }, roles: ['technician', 'dispatcher'], form: 'ticket-ack' };
  wf.machine.states.open.on.NOTE = { actions: [{ type: 'assign', params: { values: { note: "has(event.data.note) ? event.data.note : ''" } } }] };
}

// one statement's read of instances with their context (`ef_instance_context`), no process cache
const loadContexts = (db: Parameters<typeof sendEvent>[0]['db'], keys: InstanceKey[]): Promise<InstanceContext[]> => new FastEventStore(db).load(keys);

// The event path reads without a lock and writes everything in one statement that checks the
// version it read: a failing write takes every other one back, concurrent writers are stepped
// again on the version they lost to, and what is cached in process (calendars, instances) follows
// a publish or another process's write. Writes waiting at the same moment go out together, each
// event with its own answer.
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
    // a history row already holding seq 2 at the event's instant makes the event insert fail after the snapshot update ran
    // (history is partitioned by month: its key is (tenant, instance, seq, at), so the clash needs the same instant)
    await db.insert(events).values({ tenantId: place.tenantId, instanceId: inst.id, seq: 2, type: 'X', data: {}, actorRole: 'system', at: deps.now(), stateAfter: 'reported' });
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
    // an accepted event is recorded once, as its history row (with who sent it): no audit line repeats it
    expect(hist.filter((e) => e.type === 'NOTE').every((e) => e.actorId === actor.id && e.actorRole === 'dispatcher')).toBe(true);
    const lines = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, place.tenantId), eq(auditLog.target, `instance/${inst.id}`), eq(auditLog.action, 'event:NOTE')));
    expect(lines).toEqual([]);
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
    expect(lines.map((l) => l.outcome)).toEqual(['refused']);
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

  // an SLA policy on the test ticket: two hours to acknowledge (armed while `open`)
  const ackClock = (hours: number) => ({
    kind: 'sla', id: 'ticket-ack', title: { zh: '响应时限', en: 'Time to acknowledge' }, workflow: 'test-ticket',
    metrics: [{ id: 'ack', title: { zh: '响应', en: 'Acknowledge' }, start: [{ enter: 'open' }], stop: [{ leave: 'open' }],
      goals: [{ when: 'true', deadline: { after: { amount: hours, unit: 'hours' } } }], onBreach: { once: true } }],
  });

  it(`an instance kept in process that another process moved on is stepped on the fresh row, not refused on the copy, on ${kind}`, async () => {
    const db = getDb();
    const a = { db, cache: new CompiledCache(), now: () => new Date() };
    const b = { db, cache: new CompiledCache(), now: () => new Date() };
    const actor = { id: randomUUID(), role: 'dispatcher' };
    const inst = await startInstance(a, { ...place, workflowKey: 'test-ticket', actor, data: { summary: '水管漏水' } });
    await sendEvent(a, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note: 'a1' } } });
    // process A keeps the instance at version 2, in `open`
    expect(a.cache.instances.get(place.tenantId, inst.id)?.row).toMatchObject({ version: 2, state: 'open' });
    // process B (its own cache) acknowledges: the instance is in `working` at version 3, which A's copy does not know
    const acked = await sendEvent(b, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'ACK', data: { note: '已到场' } } });
    expect(acked.instance).toMatchObject({ version: 3, state: 'working' });
    // CLOSE is refused in `open` (A's copy) and accepted in `working`: A reads afresh and closes
    const closed = await sendEvent(a, { tenantId: place.tenantId, instanceId: inst.id, actor, event: { type: 'CLOSE', data: {} } });
    expect(closed.instance).toMatchObject({ version: 4, state: 'closed', status: 'done' });
    const [row] = await db.select().from(instances).where(and(eq(instances.tenantId, place.tenantId), eq(instances.id, inst.id)));
    expect(row).toMatchObject({ version: 4, state: 'closed' });
    const hist = await db.select().from(events).where(and(eq(events.tenantId, place.tenantId), eq(events.instanceId, inst.id)));
    expect(hist.map((e) => [e.seq, e.type]).sort()).toEqual([[1, 'start'], [2, 'NOTE'], [3, 'ACK'], [4, 'CLOSE']]);
    // nothing was refused on the way
    const refused = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, place.tenantId), eq(auditLog.target, `instance/${inst.id}`), eq(auditLog.outcome, 'refused')));
    expect(refused).toEqual([]);
  });

  it(`a cached copy's write is refused when the calendars or the SLA binding it was stepped with changed, and the next event sees the publish on ${kind}`, async () => {
    const db = getDb();
    const estateId = await createEstate(db, place.tenantId, { name: '翠湖苑' });
    await installBundle(db, { tenantId: place.tenantId, estateId, pkg: notedTicket, parameters: {}, source: 'upload', now: new Date() });
    const here = { tenantId: place.tenantId, estateId };
    const cache = new CompiledCache();
    const deps = { db, cache, now: () => new Date() };
    const actor = { id: randomUUID(), role: 'dispatcher' };
    const inst = await startInstance(deps, { ...here, workflowKey: 'test-ticket', actor, data: { summary: '门铃坏了' } });
    await sendEvent(deps, { tenantId: here.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note: 'x' } } });
    const kept = cache.instances.get(here.tenantId, inst.id)!;
    expect(kept.sla).toBeNull();
    // the write checks the fingerprints in the same statement: as they are, it would land…
    const probe = (ctx: typeof kept) => new FastEventStore(db).commit([{
      tenantId: here.tenantId, instanceId: inst.id, estateId, at: new Date().toISOString(), context: fingerprintOf(ctx),
      snapshot: { write: 'next', expectedVersion: 99, document: inst.snapshot as never, status: 'active', grade: null, searchText: '', endedAt: null },
    }]);
    // (version 99 never matches, so the probe writes nothing either way; a fingerprint that does not hold is refused before the version is looked at)
    expect(await probe(kept)).toEqual(['moved']);
    const office = { ...(notedTicket.files['calendars/test-office.calendar.json'] as Record<string, unknown>), week: { ...((notedTicket.files['calendars/test-office.calendar.json'] as { week: Record<string, unknown> }).week), sat: [['09:00', '12:00']] } };
    await db.transaction((tx) => publishVersion(tx, { ...here, document: office, changeNote: 'Saturday mornings', now: new Date() }));
    const [fresh] = await loadContexts(db, [[here.tenantId, inst.id]]);
    expect(fresh!.calendarStamp).not.toBe(kept.calendarStamp);
    const holds = async (ctx: typeof kept) => (await db.execute(sql`select ef_context_holds(${here.tenantId}::uuid, ${estateId}::uuid, ${JSON.stringify(fingerprintOf(ctx))}::jsonb) as ok`));
    const ok = (r: unknown) => ((Array.isArray(r) ? r : (r as { rows: { ok: boolean }[] }).rows)[0] as { ok: boolean }).ok;
    expect(ok(await holds(kept))).toBe(false);
    expect(ok(await holds(fresh!))).toBe(true);
    // the next event from the cached copy is read afresh: the process now holds the new calendars fingerprint and compiled calendars
    const sent = await sendEvent(deps, { tenantId: here.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note: 'y' } } });
    expect(sent.instance.version).toBe(3);
    expect(cache.instances.get(here.tenantId, inst.id)!.calendarStamp).toBe(fresh!.calendarStamp);
    expect((await cache.calendars(db, here.tenantId, estateId, fresh!.calendarStamp))['test-office']).toMatchObject({ week: { sat: [['09:00', '12:00']] } });
    // an SLA policy published for the workflow: the cached copy (no policy bound) no longer holds, the next event arms its timer
    const policy = await db.transaction((tx) => publishVersion(tx, { ...here, document: ackClock(2), changeNote: 'two hours', now: new Date() }));
    const stale = cache.instances.get(here.tenantId, inst.id)!;
    expect(ok(await holds(stale))).toBe(false);
    const t0 = new Date();
    const third = await sendEvent({ ...deps, now: () => t0 }, { tenantId: here.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note: 'z' } } });
    expect(third.instance.version).toBe(4);
    expect(cache.instances.get(here.tenantId, inst.id)!.sla).toEqual([{ id: policy.id, key: 'ticket-ack', version: 1 }]);
    const armed = await db.select().from(timers).where(and(eq(timers.tenantId, here.tenantId), eq(timers.instanceId, inst.id), eq(timers.status, 'armed')));
    expect(armed.filter((t) => t.key.startsWith('sla:')).map((t) => t.key)).toEqual(['sla:ticket-ack:ack:breach:0']);
    // a second version moves the deadline: the next event from the copy (bound to version 1) re-arms for version 2
    const v2 = await db.transaction((tx) => publishVersion(tx, { ...here, document: ackClock(4), changeNote: 'four hours', now: new Date() }));
    await sendEvent({ ...deps, now: () => t0 }, { tenantId: here.tenantId, instanceId: inst.id, actor, event: { type: 'NOTE', data: { note: 'w' } } });
    expect(cache.instances.get(here.tenantId, inst.id)!.sla).toEqual([{ id: v2.id, key: 'ticket-ack', version: 2 }]);
    const rearmed = await db.select().from(timers).where(and(eq(timers.tenantId, here.tenantId), eq(timers.instanceId, inst.id), eq(timers.status, 'armed')));
    const started = (await db.select().from(instances).where(and(eq(instances.tenantId, here.tenantId), eq(instances.id, inst.id))))[0]!.startedAt;
    expect(rearmed.filter((t) => t.key.startsWith('sla:')).map((t) => t.dueAt.getTime())).toEqual([started.getTime() + 4 * 3600_000]);
    await db.delete(definitionVersions).where(and(eq(definitionVersions.tenantId, here.tenantId), eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, 'sla')));
  });

  it(`writes waiting at the same moment go out together and each event gets its own answer: one failing write fails only its event on ${kind}`, async () => {
    const db = getDb();
    // one instant for every write, so the history row below clashes with the ninth event's (key: tenant, instance, seq, at)
    const instant = new Date();
    const deps = { db, cache: new CompiledCache(), now: () => instant };
    const actor = { id: randomUUID(), role: 'duty_manager' };
    const insts: Instance[] = [];
    for (let n = 0; n < 12; n++) insts.push(await startInstance(deps, { ...place, workflowKey: 'lost-and-found', actor, data: { item: `伞 ${n}`, quantity: 1, foundAt: '大堂', finderName: '王' } }));
    // the ninth one's history already holds seq 2: its write fails (the first writes go out alone, the ninth with those waiting behind them)
    await db.insert(events).values({ tenantId: place.tenantId, instanceId: insts[8]!.id, seq: 2, type: 'X', data: {}, actorRole: 'system', at: instant, stateAfter: 'reported' });
    const register = { type: 'REGISTER', data: { valueFen: 5000, storage: 'A-3', hasLead: false } };
    const sent = await Promise.allSettled(insts.map((i) => sendEvent(deps, { tenantId: place.tenantId, instanceId: i.id, actor, event: register })));
    expect(sent.map((r) => r.status)).toEqual(insts.map((_, n) => (n === 8 ? 'rejected' : 'fulfilled')));
    const rows = await db.select().from(instances).where(and(eq(instances.tenantId, place.tenantId), inArray(instances.id, insts.map((i) => i.id))));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.version]))).toEqual(Object.fromEntries(insts.map((i, n) => [i.id, n === 8 ? 1 : 2])));
    expect(await db.select().from(timers).where(eq(timers.instanceId, insts[8]!.id))).toHaveLength(0);
    for (const [n, i] of insts.entries()) {
      if (n === 8) continue;
      expect((await db.select().from(timers).where(eq(timers.instanceId, i.id))).map((t) => t.status)).toEqual(['armed']);
    }
    // the failed event was not kept in process: the next one reads the row as it is
    expect(deps.cache.instances.get(place.tenantId, insts[8]!.id)?.row.version ?? 1).toBe(1);
  });

  it(`the group-commit queue: writes sent together are batched, a conflict and a failing write answer only their own event on ${kind}`, async () => {
    const db = getDb();
    const deps = { db, cache: new CompiledCache(), now: () => new Date() };
    const actor = { id: randomUUID(), role: 'dispatcher' };
    const insts: Instance[] = [];
    for (let n = 0; n < 12; n++) insts.push(await startInstance(deps, { ...place, workflowKey: 'test-ticket', actor, data: { summary: `窗 ${n}` } }));
    // the ninth one's history already holds seq 2 (its write fails); the tenth is written as if read at version 5 (a conflict)
    const at = new Date().toISOString();
    await db.insert(events).values({ tenantId: place.tenantId, instanceId: insts[8]!.id, seq: 2, type: 'X', data: {}, actorRole: 'system', at: new Date(at), stateAfter: 'open' });
    const note = (i: (typeof insts)[number], v: number): WritePlan => ({
      tenantId: place.tenantId, instanceId: i.id, estateId: place.estateId, at,
      snapshot: { write: 'next', expectedVersion: v, document: i.snapshot as never, status: 'active', grade: null, searchText: i.serial, endedAt: null },
      history: { seq: v + 1, type: 'NOTE', data: {}, actorId: null, actorRole: 'system', idempotencyKey: null, stateAfter: 'open' },
    });
    // all sent in the same tick: the first go out alone (as many as may be in flight), the rest wait and go out together
    const store = new FastEventStore(db);
    const answers = await Promise.allSettled(insts.map((i, n) => store.commit([note(i, n === 9 ? 5 : 1)]).then(([a]) => a)));
    expect(answers.map((a) => (a.status === 'fulfilled' ? (a.value === 'moved' ? 'moved' : 'written') : 'failed'))).toEqual(insts.map((_, n) => (n === 8 ? 'failed' : n === 9 ? 'moved' : 'written')));
    const rows = await db.select().from(instances).where(and(eq(instances.tenantId, place.tenantId), inArray(instances.id, insts.map((i) => i.id))));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.version]))).toEqual(Object.fromEntries(insts.map((i, n) => [i.id, n === 8 || n === 9 ? 1 : 2])));
  });
});
