import { randomUUID } from 'node:crypto';
import { and, eq, like, sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import postgres from 'postgres';
import { createEstate, runWorkerOnce, sendEvent, startInstance } from '@estateflow/api';
import { events, instances, outbox, tasks, timers, type Db } from '@estateflow/db';
import { installBundle } from '../../apps/api/src/services/bundles.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { publishVersion } from '../../apps/api/src/services/definition-store.ts';
import { fingerprintOf } from '../../apps/api/src/store/index.ts';
import { ticketBundle } from '../support/bundle.ts';
import { withDatabases } from '../support/db.ts';
import { buildWorld, type World } from '../support/world.ts';

// Running requests follow a newly published SLA policy or calendar: the publish enqueues a re-arm
// job, the worker re-arms the SLA timers of the running instances it concerns without an event
// (history and version unchanged), and no writer computing from the old policy writes its timers back.

// Tuesday 2026-11-24 10:00 in Shanghai
const t0 = new Date('2026-11-24T02:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const intake = { channel: 'phone', name: '王女士', unit: '1-101', against: '客服中心', what: '电话无人接听' };

// the ticket with one more event, NOTE, accepted again and again in `open` (it only assigns)
const notedTicket = structuredClone(ticketBundle);
{
  const wf = notedTicket.files['workflow.json'] as unknown as { events: Record<string, unknown>; machine: { states: { open: { on: Record<string, unknown> } } } };
  wf.events.NOTE = { label: { zh: '备注', en: 'Note' }, roles: ['technician', 'dispatcher'], form: 'ticket-ack' };
  wf.machine.states.open.on.NOTE = { actions: [{ type: 'assign', params: { values: { note: "has(event.data.note) ? event.data.note : ''" } } }] };
}
const office = notedTicket.files['calendars/test-office.calendar.json'] as Record<string, unknown>;

/** An SLA policy on the test ticket: `hours` to acknowledge while `open`, in wall time or in working time on test-office. */
const ackClock = (hours: number, working = false) => ({
  kind: 'sla', id: 'ticket-ack', title: { zh: '响应时限', en: 'Time to acknowledge' }, workflow: 'test-ticket', ...(working ? { calendar: 'test-office' } : {}),
  metrics: [{ id: 'ack', title: { zh: '响应', en: 'Acknowledge' }, start: [{ enter: 'open' }], stop: [{ leave: 'open' }],
    goals: [{ when: 'true', deadline: { after: { amount: hours, unit: 'hours' }, ...(working ? { working: true } : {}) } }], onBreach: { once: true } }],
});

const armedSla = async (db: Db, tenantId: string, instanceId: string) =>
  (await db.select().from(timers).where(and(eq(timers.tenantId, tenantId), eq(timers.instanceId, instanceId), eq(timers.status, 'armed'), like(timers.key, 'sla:%'))))
    .map((t) => [t.key, t.dueAt.toISOString()] as [string, string]).sort();

const historyOf = async (db: Db, tenantId: string, instanceId: string) =>
  (await db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.instanceId, instanceId)))).map((e) => [e.seq, e.type]).sort();

const versionOf = async (db: Db, tenantId: string, instanceId: string) =>
  (await db.select({ v: instances.version }).from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, instanceId))))[0]?.v;

const rearmJobs = (db: Db, tenantId: string, estateId: string) =>
  db.select().from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.estateId, estateId), eq(outbox.kind, 'slaRearm')));

withDatabases((kind, getDb, getFresh) => {
  const clock = { now: t0 };
  let w: World;

  beforeAll(async () => {
    w = await buildWorld(getDb(), { now: () => clock.now });
    const installed = await w.own.admin.call('POST', '/api/bundles/install', { estateId: w.own.estateId, bundleId: 'complaint', parameters: {} });
    expect(installed.status, JSON.stringify(installed.body)).toBe(200);
    // the install's own re-arm job (no complaint is running yet)
    expect(await rearmJobs(getDb(), w.own.tenantId, w.own.estateId)).toHaveLength(1);
    await runWorkerOnce({ db: getDb(), workerId: 'install', now: () => clock.now });
    expect((await rearmJobs(getDb(), w.own.tenantId, w.own.estateId)).map((j) => j.status)).toEqual(['done']);
  });

  it(`CP-4: a complaint started under policy v1 follows v2's shorter accept goal after one worker round, history and version unchanged, on ${kind}`, async () => {
    const db = getDb();
    clock.now = t0;
    const started = await w.clients.get('front_desk')!.call('POST', '/api/instances', { estateId: w.own.estateId, workflow: 'complaint', data: intake });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id as string;
    const accept = (rows: [string, string][]) => rows.filter(([k]) => k.includes(':accept:'));
    // v1: one hour to accept, warnings at 50 % and 80 %
    expect(accept(await armedSla(db, w.own.tenantId, id))).toEqual([
      ['sla:complaint-clocks:accept:breach:0', at(60).toISOString()],
      ['sla:complaint-clocks:accept:escalation:0', at(60).toISOString()],
      ['sla:complaint-clocks:accept:warning:50', at(30).toISOString()],
      ['sla:complaint-clocks:accept:warning:80', at(48).toISOString()],
    ]);
    const before = (await db.select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, id)))).map((t) => t.id);
    const history = await historyOf(db, w.own.tenantId, id);

    // v2 (published five minutes later): 30 minutes to accept
    clock.now = at(5);
    const v1 = await w.own.admin.call('GET', `/api/definitions/versions?estateId=${w.own.estateId}&kind=sla&key=complaint-clocks`);
    const doc = structuredClone((await w.own.admin.call('GET', `/api/definitions/versions/${v1.body.items[0].id}`)).body.document) as { metrics: { id: string; goals: { deadline: unknown }[] }[] };
    doc.metrics.find((m) => m.id === 'accept')!.goals[0]!.deadline = { after: { amount: 30, unit: 'minutes' } };
    const published = await w.own.admin.call('POST', '/api/definitions/publish', { estateId: w.own.estateId, kind: 'sla', key: 'complaint-clocks', changeNote: '30 分钟受理', document: doc });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    // the admin is told how many running requests are re-timed (this one: the only running complaint)
    expect(published.body.rearm).toEqual({ instances: 1, message: { zh: '1 个进行中的工单将按新策略重新计时', en: '1 running request will be re-timed on the new policy' } });
    // nothing moves until the worker runs: the publish only enqueued the job
    expect(accept(await armedSla(db, w.own.tenantId, id))[0]).toEqual(['sla:complaint-clocks:accept:breach:0', at(60).toISOString()]);

    const r = await runWorkerOnce({ db, workerId: 'rearm-1', now: () => clock.now });
    expect(r.rearmed).toBe(1);
    expect(accept(await armedSla(db, w.own.tenantId, id))).toEqual([
      ['sla:complaint-clocks:accept:breach:0', at(30).toISOString()],
      ['sla:complaint-clocks:accept:escalation:0', at(30).toISOString()],
      ['sla:complaint-clocks:accept:warning:50', at(15).toISOString()],
      ['sla:complaint-clocks:accept:warning:80', at(24).toISOString()],
    ]);
    // v1's timers are cancelled, not fired; no event was written and the version is the same (an expectedVersion of 1 still holds)
    const old = await db.select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, id)));
    expect(old.filter((t) => before.includes(t.id) && t.key.includes(':accept:')).map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(await historyOf(db, w.own.tenantId, id)).toEqual(history);
    expect(await versionOf(db, w.own.tenantId, id)).toBe(1);
    // the clock staff see and the timer that fires agree
    const page = await w.clients.get('cs_manager')!.call('GET', `/api/instances/${id}`);
    expect(page.body.clocks.find((c: { metricId: string }) => c.metricId === 'accept')).toMatchObject({ status: 'running', dueAt: at(30).toISOString() });
    const [job] = (await rearmJobs(db, w.own.tenantId, w.own.estateId)).filter((j) => (j.payload as { cause: { kind: string } }).cause.kind === 'sla' && j.createdAt.getTime() === at(5).getTime());
    expect(job).toMatchObject({ status: 'done', processedBy: 'rearm-1', payload: { workflows: ['complaint'], rearmed: 1, retry: [] } });

    // idempotent: the same job run again re-arms nothing anew
    const armedIds = (await db.select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, id), eq(timers.status, 'armed')))).map((t) => t.id).sort();
    await db.update(outbox).set({ status: 'pending', payload: { ...(job!.payload as object), after: null, rearmed: 0 } }).where(and(eq(outbox.tenantId, job!.tenantId), eq(outbox.id, job!.id)));
    expect((await runWorkerOnce({ db, workerId: 'rearm-2', now: () => clock.now })).rearmed).toBe(1);
    expect((await db.select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, id), eq(timers.status, 'armed')))).map((t) => t.id).sort()).toEqual(armedIds);
    expect((await db.select().from(timers).where(and(eq(timers.tenantId, w.own.tenantId), eq(timers.instanceId, id)))).length).toBe(old.length);

    // the next event is accepted at the version the client holds
    clock.now = at(10);
    const triaged = await w.clients.get('dispatcher')!.call('POST', `/api/instances/${id}/events`, { type: 'TRIAGE', data: { valid: false, explanation: '属市政供电，已协助报修' }, expectedVersion: 1 });
    expect(triaged.status, JSON.stringify(triaged.body)).toBe(200);
  });

  it(`a calendar publish that adds a holiday moves a working-time deadline of a running request on ${kind}`, async () => {
    const db = getDb();
    const { tenantId, estateId, admin } = w.own;
    // Tuesday 15:00: four working hours on test-office (09:00-17:00) = 2 today + 2 on Wednesday, due Wednesday 11:00
    clock.now = new Date('2026-11-24T07:00:00Z');
    const policy = await admin.call('POST', '/api/definitions/publish', { estateId, kind: 'sla', key: 'ticket-ack', changeNote: '4 working hours', document: ackClock(4, true) });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    const started = await admin.call('POST', '/api/instances', { estateId, workflow: 'test-ticket', data: { summary: '门禁坏了' } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id as string;
    expect(await armedSla(db, tenantId, id)).toEqual([['sla:ticket-ack:ack:breach:0', '2026-11-25T03:00:00.000Z']]);
    await runWorkerOnce({ db, workerId: 'rearm-c0', now: () => clock.now });

    const res = await admin.call('POST', '/api/calendars', { estateId, changeNote: '11 月 25 日停工', document: { ...office, holidays: [{ date: '2026-11-25', name: '停工' }] } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // the world's own ticket and this one run bound to the policy
    expect(res.body.rearm).toMatchObject({ instances: 2, message: { zh: '2 个进行中的工单将按新日历重新计时' } });
    const r = await runWorkerOnce({ db, workerId: 'rearm-c1', now: () => clock.now });
    expect(r.rearmed).toBe(2);
    // Wednesday off: due Thursday 11:00
    expect(await armedSla(db, tenantId, id)).toEqual([['sla:ticket-ack:ack:breach:0', '2026-11-26T03:00:00.000Z']]);
    expect(await versionOf(db, tenantId, id)).toBe(1);
    const page = await admin.call('GET', `/api/instances/${id}`);
    expect(page.body.clocks.find((c: { metricId: string }) => c.metricId === 'ack')).toMatchObject({ dueAt: '2026-11-26T03:00:00.000Z' });
  });

  it(`a calendar publish that adds a holiday moves the engine's working-time timer of a running request, which then fires at the new time, on ${kind}`, async () => {
    const db = getDb();
    const tenantId = w.own.tenantId;
    const estateId = await createEstate(db, tenantId, { name: `松风苑 ${randomUUID().slice(0, 6)}` });
    // the ticket overdue after 4 working hours on test-office (an `after` delay, armed by the engine; no SLA policy)
    const pkg = structuredClone(ticketBundle);
    const wf = pkg.files['workflow.json'] as unknown as { delays: Record<string, unknown>; machine: { states: { open: { tasks: { due: unknown }[] } } } };
    wf.delays.ack = { after: { amount: 4, unit: 'hours' }, working: true, calendar: 'test-office' };
    // and its task due in 3 working hours
    wf.machine.states.open.tasks[0]!.due = { after: { amount: 3, unit: 'hours' }, working: true, calendar: 'test-office' };
    const tuesday3pm = new Date('2026-11-24T07:00:00Z');
    await installBundle(db, { tenantId, estateId, pkg, parameters: {}, source: 'upload', now: tuesday3pm });
    while ((await runWorkerOnce({ db, workerId: 'retime', now: () => tuesday3pm })).rearmed > 0 || (await rearmJobs(db, tenantId, estateId)).some((j) => j.status === 'pending'));
    const deps = { db, cache: new CompiledCache(), now: () => tuesday3pm };
    const inst = await startInstance(deps, { tenantId, estateId, workflowKey: 'test-ticket', actor, data: { summary: '单元门禁坏了' } });
    const engineTimer = async () => (await db.select().from(timers).where(and(eq(timers.tenantId, tenantId), eq(timers.instanceId, inst.id), eq(timers.key, 'after:open:ack'))))
      .map((t) => [t.status, t.dueAt.toISOString()]);
    const taskDue = async () => (await db.select().from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, inst.id), eq(tasks.key, 'ack'))))
      .map((k) => [k.status, k.dueAt?.toISOString()]);
    // 2 working hours today + 2 on Wednesday: Wednesday 11:00; the task (3 hours): Wednesday 10:00
    expect(await engineTimer()).toEqual([['armed', '2026-11-25T03:00:00.000Z']]);
    expect(await taskDue()).toEqual([['open', '2026-11-25T02:00:00.000Z']]);

    await db.transaction((tx) => publishVersion(tx, { tenantId, estateId, document: { ...office, holidays: [{ date: '2026-11-25', name: '停工' }] }, changeNote: '11 月 25 日停工', now: tuesday3pm }));
    expect((await runWorkerOnce({ db, workerId: 'retime', now: () => tuesday3pm })).rearmed).toBe(1);
    // Wednesday off: Thursday 11:00, in the timers table and in the snapshot the engine checks when it fires; history and version unchanged
    expect(await engineTimer()).toEqual([['armed', '2026-11-26T03:00:00.000Z']]);
    const [row] = await db.select().from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, inst.id)));
    expect((row!.snapshot as { context: { sys: { timers: Record<string, { due: string }> } } }).context.sys.timers['after:open:ack']!.due).toBe('2026-11-26T03:00:00.000Z');
    expect(row!.version).toBe(1);
    // the task's due time moves the same way (the inbox shows it): Thursday 10:00, in the tasks table and the snapshot
    expect(await taskDue()).toEqual([['open', '2026-11-26T02:00:00.000Z']]);
    expect((row!.snapshot as { context: { sys: { tasks: Record<string, { due: string }> } } }).context.sys.tasks['ack']!.due).toBe('2026-11-26T02:00:00.000Z');
    expect(await historyOf(db, tenantId, inst.id)).toEqual([[1, 'start']]);

    // nothing fires at the old time; at the new one the ticket goes overdue (the worker serves every estate: the instance is checked, not the count)
    const stateNow = async () => (await db.select({ state: instances.state }).from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, inst.id))))[0]!.state;
    for (let n = 0; n < 5; n++) await runWorkerOnce({ db, workerId: 'retime', now: () => new Date('2026-11-25T03:30:00Z') });
    expect(await stateNow()).toBe('open');
    expect(await engineTimer()).toEqual([['armed', '2026-11-26T03:00:00.000Z']]);
    for (let n = 0; n < 5; n++) await runWorkerOnce({ db, workerId: 'retime', now: () => new Date('2026-11-26T03:00:01Z') });
    expect(await stateNow()).toBe('overdue');
    expect(await engineTimer()).toEqual([['fired', '2026-11-26T03:00:00.000Z']]);
  });

  // the event path and the re-arm on one estate of their own, with processes (caches) of their own
  const place = async (db: Db, hours: number) => {
    const estateId = await createEstate(db, w.own.tenantId, { name: `翠湖苑 ${randomUUID().slice(0, 6)}` });
    await installBundle(db, { tenantId: w.own.tenantId, estateId, pkg: notedTicket, parameters: {}, source: 'upload', now: new Date() });
    const v1 = await db.transaction((tx) => publishVersion(tx, { tenantId: w.own.tenantId, estateId, document: ackClock(hours), changeNote: 'v1', now: new Date() }));
    return { tenantId: w.own.tenantId, estateId, v1 };
  };
  const actor = { id: randomUUID(), role: 'dispatcher' };
  const note = (deps: Parameters<typeof sendEvent>[0], tenantId: string, instanceId: string, text: string) =>
    sendEvent(deps, { tenantId, instanceId, actor, event: { type: 'NOTE', data: { note: text } } });

  it(`an instance kept in process from before the publish does not write the old policy's timers back after the re-arm on ${kind}`, async () => {
    const db = getDb();
    const now = new Date();
    const here = await place(db, 2);
    const deps = { db, cache: new CompiledCache(), now: () => now };
    const inst = await startInstance(deps, { ...here, workflowKey: 'test-ticket', actor, data: { summary: '门铃坏了' } });
    await note(deps, here.tenantId, inst.id, 'a');
    const kept = deps.cache.instances.get(here.tenantId, inst.id)!;
    expect(kept.sla).toEqual([{ id: here.v1.id, key: 'ticket-ack', version: 1 }]);
    expect(await armedSla(db, here.tenantId, inst.id)).toEqual([['sla:ticket-ack:ack:breach:0', new Date(now.getTime() + 2 * 3600_000).toISOString()]]);

    await db.transaction((tx) => publishVersion(tx, { ...here, document: ackClock(1), changeNote: 'one hour', now }));
    await runWorkerOnce({ db, workerId: 'rearm-k', now: () => now });
    const oneHour = [['sla:ticket-ack:ack:breach:0', new Date(now.getTime() + 3600_000).toISOString()]];
    expect(await armedSla(db, here.tenantId, inst.id)).toEqual(oneHour);
    const armedId = (await db.select().from(timers).where(and(eq(timers.tenantId, here.tenantId), eq(timers.instanceId, inst.id), eq(timers.status, 'armed'))))
      .filter((t) => t.key.startsWith('sla:')).map((t) => t.id);
    // the process still holds the copy stepped with v1; its fingerprint no longer holds, so its write is refused…
    expect(deps.cache.instances.get(here.tenantId, inst.id)).toBe(kept);
    const holds = await db.execute(sql`select ef_context_holds(${here.tenantId}::uuid, ${here.estateId}::uuid, ${JSON.stringify(fingerprintOf(kept))}::jsonb) as ok`);
    expect(((Array.isArray(holds) ? holds : (holds as { rows: unknown[] }).rows)[0] as { ok: boolean }).ok).toBe(false);
    // …and the event is stepped again on a fresh read: the timers stay v2's, the re-armed row untouched
    const sent = await note(deps, here.tenantId, inst.id, 'b');
    expect(sent.instance.version).toBe(3);
    expect(await armedSla(db, here.tenantId, inst.id)).toEqual(oneHour);
    expect((await db.select().from(timers).where(and(eq(timers.tenantId, here.tenantId), eq(timers.instanceId, inst.id), eq(timers.status, 'armed')))).filter((t) => t.key.startsWith('sla:')).map((t) => t.id)).toEqual(armedId);
  });

  it(`an event read before the publish and written after the re-arm is stepped again on the new policy, not written over it, on ${kind}`, async () => {
    const db = getDb();
    const now = new Date();
    const here = await place(db, 2);
    const starter = { db, cache: new CompiledCache(), now: () => now };
    const inst = await startInstance(starter, { ...here, workflowKey: 'test-ticket', actor, data: { summary: '电梯异响' } });
    // a process that holds nothing reads the instance (policy v1), then, before it writes, v2 is published and the worker re-arms
    const cache = new CompiledCache();
    let gate: Promise<void> | undefined;
    const calendars = cache.calendars.bind(cache);
    cache.calendars = (...args: Parameters<CompiledCache['calendars']>) => {
      gate ??= (async () => {
        await db.transaction((tx) => publishVersion(tx, { ...here, document: ackClock(1), changeNote: 'one hour', now }));
        expect((await runWorkerOnce({ db, workerId: 'rearm-r', now: () => now })).rearmed).toBe(1);
      })();
      return gate.then(() => calendars(...args));
    };
    const sent = await note({ db, cache, now: () => now }, here.tenantId, inst.id, 'late');
    expect(gate).toBeDefined();
    expect(sent.instance.version).toBe(2);
    // one set of armed SLA timers, v2's (without the write's check the event would have armed v1's two hours)
    expect(await armedSla(db, here.tenantId, inst.id)).toEqual([['sla:ticket-ack:ack:breach:0', new Date(now.getTime() + 3600_000).toISOString()]]);
  });

  it(`events sent while the worker re-arms leave exactly one set of armed SLA timers, v2's, on every instance on ${kind}`, async () => {
    const db = getDb();
    const now = new Date();
    const here = await place(db, 2);
    const deps = { db, cache: new CompiledCache(), now: () => now };
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) ids.push((await startInstance(deps, { ...here, workflowKey: 'test-ticket', actor, data: { summary: `窗 ${n}` } })).id);
    await db.transaction((tx) => publishVersion(tx, { ...here, document: ackClock(1), changeNote: 'one hour', now }));
    const worker = (async () => {
      let rearmed = 0;
      for (let round = 0; round < 10; round++) {
        const r = await runWorkerOnce({ db, workerId: 'rearm-x', now: () => now, batchSize: 4 });
        rearmed += r.rearmed;
        const [job] = await rearmJobs(db, here.tenantId, here.estateId).then((rows) => rows.filter((j) => j.status === 'pending'));
        if (!job) break;
      }
      return rearmed;
    })();
    const sent = await Promise.all(ids.flatMap((id) => [note(deps, here.tenantId, id, 'x'), note(deps, here.tenantId, id, 'y')]));
    await worker;
    expect(sent.every((s) => !s.stale)).toBe(true);
    expect((await rearmJobs(db, here.tenantId, here.estateId)).map((j) => j.status)).toEqual(['done', 'done']);
    const due = new Date(now.getTime() + 3600_000).toISOString();
    for (const id of ids) {
      expect(await armedSla(db, here.tenantId, id)).toEqual([['sla:ticket-ack:ack:breach:0', due]]);
      expect(await versionOf(db, here.tenantId, id)).toBe(3);
    }
  });

  // PGlite has one connection: no other writer can hold a row while the worker runs, so these cases exist on PostgreSQL only
  if (kind === 'postgres') {
    it('a start that read the old policy and commits while the re-arm job runs is planned again on the new one, not left on the old timers, on postgres', async () => {
      const db = getDb();
      const now = new Date();
      const here = await place(db, 2);
      // v1's own job first (no instance yet)
      while ((await runWorkerOnce({ db, workerId: 'rearm-s', now: () => now })).rearmed > 0 || (await rearmJobs(db, here.tenantId, here.estateId)).some((j) => j.status === 'pending'));
      const cache = new CompiledCache();
      let worker: Promise<unknown> | undefined;
      const calendarsOf = cache.calendars.bind(cache);
      // once the start has read its context (policy v1) and before it commits: v2 is published and the worker runs its job
      cache.calendars = (...args) => {
        worker ??= (async () => {
          await db.transaction((tx) => publishVersion(tx, { ...here, document: ackClock(1), changeNote: 'one hour', now }));
          return runWorkerOnce({ db, workerId: 'rearm-s', now: () => now });
        })();
        return worker.then(() => calendarsOf(...args));
      };
      const inst = await startInstance({ db, cache, now: () => now }, { ...here, workflowKey: 'test-ticket', actor, data: { summary: '对讲机无声' } });
      expect(worker).toBeDefined();
      // the job found no instance yet; the start's commit checked the context it was planned with, found v2 bound and planned again
      expect(await worker).toMatchObject({ rearmed: 0 });
      expect(await armedSla(db, here.tenantId, inst.id)).toEqual([['sla:ticket-ack:ack:breach:0', new Date(now.getTime() + 3600_000).toISOString()]]);
      expect((await rearmJobs(db, here.tenantId, here.estateId)).map((j) => j.status)).toEqual(['done', 'done']);
    });

    it('an instance another writer holds is passed over without waiting and re-armed by the next batch on postgres', async () => {
      const db = getDb();
      const now = new Date();
      const here = await place(db, 2);
      const deps = { db, cache: new CompiledCache(), now: () => now };
      const held = await startInstance(deps, { ...here, workflowKey: 'test-ticket', actor, data: { summary: '占用' } });
      const free = await startInstance(deps, { ...here, workflowKey: 'test-ticket', actor, data: { summary: '空闲' } });
      await db.transaction((tx) => publishVersion(tx, { ...here, document: ackClock(1), changeNote: 'one hour', now }));
      const other = postgres(getFresh().url!, { max: 1, onnotice: () => {} });
      let release = () => {};
      try {
        const holding = other.begin(async (sql) => {
          await sql`select 1 from instances where tenant_id = ${here.tenantId} and id = ${held.id} for update`;
          await new Promise<void>((r) => (release = r));
        });
        await new Promise((r) => setTimeout(r, 100));
        const v2 = [['sla:ticket-ack:ack:breach:0', new Date(now.getTime() + 3600_000).toISOString()]];
        const v1 = [['sla:ticket-ack:ack:breach:0', new Date(now.getTime() + 2 * 3600_000).toISOString()]];
        // both jobs (v1's, v2's) run while the row is held: the free instance is re-armed, the held one waits in `retry`
        for (let n = 0; n < 2; n++) await runWorkerOnce({ db, workerId: 'rearm-h', now: () => now });
        expect(await armedSla(db, here.tenantId, free.id)).toEqual(v2);
        expect(await armedSla(db, here.tenantId, held.id)).toEqual(v1);
        const jobs = await rearmJobs(db, here.tenantId, here.estateId);
        expect(jobs.map((j) => [j.status, (j.payload as { retry: string[] }).retry])).toEqual([['pending', [held.id]], ['pending', [held.id]]]);
        release();
        await holding;
        for (let n = 0; n < 2; n++) await runWorkerOnce({ db, workerId: 'rearm-h', now: () => now });
        expect(await armedSla(db, here.tenantId, held.id)).toEqual(v2);
        expect((await rearmJobs(db, here.tenantId, here.estateId)).map((j) => j.status)).toEqual(['done', 'done']);
        expect(await versionOf(db, here.tenantId, held.id)).toBe(1);
      } finally {
        release();
        await other.end({ timeout: 5 });
      }
    });
  }
});
