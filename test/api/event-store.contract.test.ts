import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { attachments, auditLog, calendars, definitionVersions, events, idempotencyKeys, instances, outbox, tasks, timers, type Db } from '@estateflow/db';
import type { EngineSnapshot } from '@estateflow/engine';
import { FastEventStore, fingerprintOf, IdempotencyRace, planClaim, ReferenceEventStore, type EventStore, type InstanceContext, type WritePlan } from '../../apps/api/src/store/index.ts';
import { CompiledCache } from '../../apps/api/src/services/compiled-cache.ts';
import { withDatabases } from '../support/db.ts';

// One contract, two EventStores: the reference (a drizzle transaction) and the fast path (one
// statement, process cache, group commit) answer alike and leave the same rows, on PGlite and
// PostgreSQL: a start, an event, every part of a plan, `moved` at a stale version, concurrent
// writers (one wins), a context changed between read and commit (calendar, SLA policy), a re-arm
// held at its version, SLA timers made to match, an idempotency record stored meanwhile, a task
// claimed and reassigned (a claim of a task someone else holds is moved), and the worker's isolated commit (one instance's failure undoes only it).

const at = (min: number) => new Date(Date.parse('2026-12-01T01:00:00.000Z') + min * 60_000).toISOString();
const doc = (value: string, data: Record<string, unknown> = {}): EngineSnapshot => ({
  workflow: { id: 'wf', version: '1' }, status: 'active', value,
  context: { data, sys: { instanceId: 'x', startedAt: at(0), params: {}, now: at(0), actor: { id: 'system', role: 'system' }, tasks: {}, timers: {}, ladders: {}, loops: 0, seq: 0 } },
});

type Kit = { name: string; make: (db: Db) => EventStore };
const kits: Kit[] = [
  { name: 'reference', make: (db) => new ReferenceEventStore(db) },
  { name: 'fast', make: (db) => new FastEventStore(db, new CompiledCache().instances) },
];

withDatabases((kind, getDb, getFresh) => {
  for (const kit of kits) {
    describe(`the ${kit.name} EventStore`, () => {
      let db: Db;
      let store: EventStore;
      const tenantId = randomUUID();
      const estateId = randomUUID();
      beforeAll(async () => {
        db = getDb();
        store = kit.make(db);
        await db.insert(calendars).values({ tenantId, estateId, key: 'office', document: { week: {} } });
      });

      const create = (id: string, extra: Partial<WritePlan> = {}): WritePlan => ({
        tenantId, instanceId: id, estateId, at: at(0),
        snapshot: { write: 'create', document: doc('open', { item: '钱包' }), status: 'active', grade: null, searchText: 'LF-1 钱包', endedAt: null,
          created: { unitId: null, workflowKey: 'wf', definitionVersionId: randomUUID(), workflowVersion: 1, serial: 'LF-000001', startedBy: null, requestedFor: null } },
        history: { seq: 1, type: 'start', data: { item: '钱包' }, actorId: null, actorRole: 'front_desk', idempotencyKey: null, stateAfter: 'open' },
        ...extra,
      });
      const next = (ctx: InstanceContext, value: string, extra: Partial<WritePlan> = {}): WritePlan => ({
        tenantId, instanceId: ctx.row.id, estateId, at: at(ctx.row.version),
        snapshot: { write: 'next', expectedVersion: ctx.row.version, document: doc(value), status: value === 'closed' ? 'done' : 'active', grade: null, searchText: 'LF-1', endedAt: value === 'closed' ? at(9) : null },
        history: { seq: ctx.row.version + 1, type: value.toUpperCase(), data: {}, actorId: null, actorRole: 'dispatcher', idempotencyKey: null, stateAfter: value },
        ...extra,
      });
      const started = async (extra: Partial<WritePlan> = {}): Promise<InstanceContext> => {
        const id = randomUUID();
        expect(await store.commit([create(id, extra)])).toEqual(['ok']);
        const [ctx] = await store.load([[tenantId, id]], { fresh: true });
        return ctx!;
      };
      const rows = async (id: string) => ({
        history: (await db.select().from(events).where(and(eq(events.tenantId, tenantId), eq(events.instanceId, id))).orderBy(asc(events.seq))).map((e) => [e.seq, e.type, e.stateAfter]),
        timers: (await db.select().from(timers).where(and(eq(timers.tenantId, tenantId), eq(timers.instanceId, id))).orderBy(asc(timers.key), asc(timers.dueAt))).map((t) => [t.key, t.status, t.dueAt.toISOString()]),
        tasks: (await db.select().from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, id))).orderBy(asc(tasks.key))).map((t) => [t.key, t.status, t.role, t.assigneeId, t.dueAt?.toISOString() ?? null]),
        outbox: (await db.select().from(outbox).where(and(eq(outbox.tenantId, tenantId), eq(outbox.instanceId, id))).orderBy(asc(outbox.kind))).map((o) => [o.kind, o.payload]),
      });

      it(`loads what it created, with the estate's calendar fingerprint and no SLA binding, on ${kind}`, async () => {
        const ctx = await started();
        expect(ctx.row).toMatchObject({ version: 1, state: 'open', status: 'active', serial: 'LF-000001', workflowKey: 'wf', searchText: 'LF-1 钱包' });
        expect(ctx.calendarStamp).toMatch(/^office@\d+$/);
        expect(ctx.sla).toBeNull();
        expect(ctx.history).toBeNull();
        expect(await store.load([[tenantId, randomUUID()]])).toEqual([]);
      });

      it(`writes every part of an event's plan, once, and moves the row to the next version on ${kind}`, async () => {
        const upload = randomUUID();
        await db.insert(attachments).values({ tenantId, id: upload, estateId, name: 'a.jpg', contentType: 'image/jpeg', size: 1, sha256: 'x', data: Buffer.from('x'), createdAt: new Date(at(0)) });
        const ctx = await started({
          timers: { arm: [{ id: randomUUID(), key: 'after:open:ack', event: 'timer.open.ack', data: {}, dueAt: at(15) }] },
          tasks: { open: [
            { id: randomUUID(), key: 'register', title: { zh: '登记', en: 'Register' }, role: 'front_desk', assigneeId: null, form: null, events: [], dueAt: at(60) },
            { id: randomUUID(), key: 'watch', title: { zh: '看管', en: 'Keep' }, role: 'security', assigneeId: null, form: null, events: ['KEEP'], dueAt: at(30) },
          ] },
        });
        const plan = next(ctx, 'registered', {
          timers: { cancel: ['after:open:ack'], arm: [{ id: randomUUID(), key: 'after:registered:keep', event: 'timer.registered.keep', data: { n: 1 }, dueAt: at(90) }] },
          tasks: { close: ['register'], cancel: ['watch'], open: [{ id: randomUUID(), key: 'hand', title: { zh: '交还', en: 'Hand over' }, role: 'front_desk', assigneeId: null, form: null, events: ['HAND'], dueAt: null }], reassign: [{ key: 'hand', role: 'security', assigneeId: null }] },
          outbox: [{ id: randomUUID(), kind: 'notify', payload: { kind: 'notify', to: { role: 'security' } } }],
          charges: [{ id: randomUUID(), payload: { item: 'storage', amountFen: 500, serial: 'LF-000001' } }],
          attachments: [upload],
          audit: [{ id: randomUUID(), actorId: null, actorRole: 'system', action: 'note', target: `instance/${ctx.row.id}`, outcome: 'accepted', detail: { n: 1 } }],
        });
        expect(await store.commit([plan])).toEqual(['ok']);
        const [after] = await store.load([[tenantId, ctx.row.id]], { fresh: true });
        expect(after!.row).toMatchObject({ version: 2, state: 'registered', status: 'active' });
        expect(await rows(ctx.row.id)).toEqual({
          history: [[1, 'start', 'open'], [2, 'REGISTERED', 'registered']],
          timers: [['after:open:ack', 'cancelled', at(15)], ['after:registered:keep', 'armed', at(90)]],
          // closed by the plan: one done, one cancelled (the request moved on without it)
          tasks: [['hand', 'open', 'security', null, null], ['register', 'done', 'front_desk', null, at(60)], ['watch', 'cancelled', 'security', null, at(30)]],
          outbox: [['charge', { item: 'storage', amountFen: 500, serial: 'LF-000001' }], ['notify', { kind: 'notify', to: { role: 'security' } }]],
        });
        const [claimed] = await db.select({ claimedAt: attachments.claimedAt }).from(attachments).where(and(eq(attachments.tenantId, tenantId), eq(attachments.id, upload)));
        expect(claimed!.claimedAt?.toISOString()).toBe(at(1));
        const closed = await db.select({ key: tasks.key, closedAt: tasks.closedAt }).from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, ctx.row.id), inArray(tasks.key, ['register', 'watch']))).orderBy(asc(tasks.key));
        expect(closed.map((t) => [t.key, t.closedAt?.toISOString()])).toEqual([['register', at(1)], ['watch', at(1)]]);
        expect((await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.target, `instance/${ctx.row.id}`)))).map((a) => [a.action, a.detail])).toEqual([['note', { n: 1 }]]);
      });

      it(`answers moved and writes nothing for a plan at a stale version on ${kind}`, async () => {
        const ctx = await started();
        expect(await store.commit([next(ctx, 'registered')])).toEqual(['ok']);
        const stale = next(ctx, 'closed', { timers: { arm: [{ id: randomUUID(), key: 'k', event: 'e', data: {}, dueAt: at(5) }] }, outbox: [{ id: randomUUID(), kind: 'notify', payload: {} }] });
        expect(await store.commit([stale])).toEqual(['moved']);
        expect(await rows(ctx.row.id)).toEqual({ history: [[1, 'start', 'open'], [2, 'REGISTERED', 'registered']], timers: [], tasks: [], outbox: [] });
      });

      it(`claims and reassigns an open task without moving the instance; a claim of a held or closed task is moved on ${kind}`, async () => {
        const taskId = randomUUID();
        const ctx = await started({ tasks: { open: [{ id: taskId, key: 'hand', title: { zh: '交还', en: 'Hand over' }, role: 'front_desk', assigneeId: null, form: null, events: [], dueAt: null }] } });
        const task = { tenantId, instanceId: ctx.row.id, estateId };
        const [a, b] = [randomUUID(), randomUUID()];
        const claimed = await Promise.all([a, b].map((u) => store.commit([planClaim(task, { taskId, assigneeId: u, role: 'front_desk', unlessHeld: true }, new Date(at(2)))])));
        expect(claimed.flat().sort()).toEqual(['moved', 'ok']);
        const winner = claimed[0]![0] === 'ok' ? a : b;
        const held = async () => (await db.select().from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.id, taskId))))[0]!;
        expect(await held()).toMatchObject({ assigneeId: winner, role: 'front_desk', claimedAt: new Date(at(2)) });
        // claiming again is fine for the holder
        expect(await store.commit([planClaim(task, { taskId, assigneeId: winner, role: 'front_desk', unlessHeld: true }, new Date(at(3)))])).toEqual(['ok']);
        // a reassignment takes it from its holder; back to the pool clears claimed_at
        expect(await store.commit([planClaim(task, { taskId, assigneeId: null, role: 'security', unlessHeld: false }, new Date(at(4)))])).toEqual(['ok']);
        expect(await held()).toMatchObject({ assigneeId: null, role: 'security', claimedAt: null });
        // the instance did not move, its copy stays good for the next event
        const [same] = await store.load([[tenantId, ctx.row.id]]);
        expect(same!.row.version).toBe(1);
        expect(await store.commit([next(same!, 'closed', { tasks: { close: ['hand'] } })])).toEqual(['ok']);
        expect(await store.commit([planClaim(task, { taskId, assigneeId: a, role: 'security', unlessHeld: false }, new Date(at(5)))])).toEqual(['moved']);
        expect(await held()).toMatchObject({ status: 'done', assigneeId: null, role: 'security' });
        // a claim names a task of its instance
        expect(await store.commit([planClaim({ ...task, instanceId: randomUUID() }, { taskId, assigneeId: a, role: null, unlessHeld: false }, new Date(at(6)))])).toEqual(['moved']);
        // and goes alone: a claim with a snapshot is a programming error (drizzle wraps the database's)
        const wrong = await store.commit([{ ...next(same!, 'x'), claim: { taskId, assigneeId: a, role: null, unlessHeld: false } }]).then(() => undefined, (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ''}`);
        expect(wrong).toMatch(/claim changes no snapshot/);
      });

      it(`lets one of two concurrent writers at the same version win; the other is moved on ${kind}`, async () => {
        const ctx = await started();
        const answers = await Promise.all([store.commit([next(ctx, 'registered')]), store.commit([next(ctx, 'closed')])]);
        expect(answers.flat().sort()).toEqual(['moved', 'ok']);
        const [after] = await store.load([[tenantId, ctx.row.id]], { fresh: true });
        expect(after!.row.version).toBe(2);
        expect((await rows(ctx.row.id)).history).toHaveLength(2);
      });

      it(`refuses a plan whose context changed between its read and its commit (a calendar, then an SLA policy published) on ${kind}`, async () => {
        const ctx = await started();
        await db.update(calendars).set({ document: { week: { sat: [] } } }).where(and(eq(calendars.tenantId, tenantId), eq(calendars.estateId, estateId), eq(calendars.key, 'office')));
        expect(await store.commit([next(ctx, 'registered', { context: fingerprintOf(ctx) })])).toEqual(['moved']);
        const [fresh] = await store.load([[tenantId, ctx.row.id]], { fresh: true });
        expect(fresh!.calendarStamp).not.toBe(ctx.calendarStamp);
        const policy = randomUUID();
        await db.insert(definitionVersions).values({ tenantId, id: policy, estateId, kind: 'sla', key: `wf-sla-${kit.name}`, version: 1, document: { workflow: 'wf' }, changeNote: '' });
        expect(await store.commit([next(fresh!, 'registered', { context: fingerprintOf(fresh!) })])).toEqual(['moved']);
        const [bound] = await store.load([[tenantId, ctx.row.id]], { fresh: true });
        expect(bound!.sla).toEqual([{ id: policy, key: `wf-sla-${kit.name}`, version: 1 }]);
        expect(bound!.history?.map((h) => h.type)).toEqual(['start']);
        expect(await store.commit([next(bound!, 'registered', { context: fingerprintOf(bound!) })])).toEqual(['ok']);
        await db.delete(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.id, policy)));
      });

      it(`makes the SLA timers match what is wanted: kept when key and instant match, cancelled otherwise, the fired one left alone on ${kind}`, async () => {
        const ctx = await started();
        const want = (step: number, due: string, kindOf: 'warning' | 'breach' = 'warning') => ({ id: randomUUID(), policy: 'p', metric: 'm', kind: kindOf, step, event: `sla.${kindOf}`, data: { step }, dueAt: due });
        const first: WritePlan = { tenantId, instanceId: ctx.row.id, estateId, at: at(1), slaTimers: { now: at(1), except: null, wanted: [want(50, at(30)), want(80, at(48)), want(0, at(60), 'breach')] } };
        expect(await store.commit([first])).toEqual(['ok']);
        const armedIds = async () => (await db.select().from(timers).where(and(eq(timers.tenantId, tenantId), eq(timers.instanceId, ctx.row.id), eq(timers.status, 'armed'))));
        const before = await armedIds();
        const warning50 = before.find((t) => t.key === 'sla:p:m:warning:50')!;
        // the policy changed: 80 % moves, the breach stays, the 50 % warning (being fired) is left as it is
        const second: WritePlan = { tenantId, instanceId: ctx.row.id, estateId, at: at(2), slaTimers: { now: at(2), except: warning50.id, wanted: [want(80, at(40)), want(0, at(60), 'breach')] } };
        expect(await store.commit([second])).toEqual(['ok']);
        expect((await rows(ctx.row.id)).timers).toEqual([
          ['sla:p:m:breach:0', 'armed', at(60)],
          ['sla:p:m:warning:50', 'armed', at(30)],
          ['sla:p:m:warning:80', 'armed', at(40)],
          ['sla:p:m:warning:80', 'cancelled', at(48)],
        ]);
        // the kept breach timer is the same row
        expect((await armedIds()).find((t) => t.key === 'sla:p:m:breach:0')!.id).toBe(before.find((t) => t.key === 'sla:p:m:breach:0')!.id);
        const [loaded] = await store.load([[tenantId, ctx.row.id]], { fresh: true });
        expect(loaded!.armed).toHaveLength(3);
      });

      it(`holds a re-arm at its version (the version stays, the snapshot and due times move) and answers moved past it on ${kind}`, async () => {
        const ctx = await started({ timers: { arm: [{ id: randomUUID(), key: 'after:open:ack', event: 'timer.open.ack', data: {}, dueAt: at(15) }] } });
        const hold = (c: InstanceContext): WritePlan => ({
          tenantId, instanceId: c.row.id, estateId, at: at(3), context: fingerprintOf(c),
          snapshot: { write: 'hold', expectedVersion: c.row.version, document: doc('open', { retimed: true }) }, timers: { move: [{ key: 'after:open:ack', dueAt: at(25) }] },
        });
        expect(await store.commit([hold(ctx)])).toEqual(['ok']);
        const [after] = await store.load([[tenantId, ctx.row.id]], { fresh: true });
        expect(after!.row.version).toBe(1);
        expect((after!.row.snapshot as unknown as EngineSnapshot).context.data).toEqual({ retimed: true });
        expect((await rows(ctx.row.id)).timers).toEqual([['after:open:ack', 'armed', at(25)]]);
        expect(await store.commit([next(after!, 'registered')])).toEqual(['ok']);
        expect(await store.commit([hold(after!)])).toEqual(['moved']);
      });

      if (kind === 'postgres') {
        it(`answers a re-arm moved, without waiting, while another writer holds the row on ${kind}`, async () => {
          const ctx = await started();
          const other = postgres(getFresh().url!, { max: 1, onnotice: () => {} });
          try {
            await other.begin(async (t) => {
              await t`select 1 from instances where tenant_id = ${tenantId} and id = ${ctx.row.id} for update`;
              const plan: WritePlan = { tenantId, instanceId: ctx.row.id, estateId, at: at(3), snapshot: { write: 'hold', expectedVersion: 1 } };
              expect(await store.commit([plan])).toEqual(['moved']);
            });
          } finally {
            await other.end({ timeout: 5 });
          }
        });
      }

      it(`commits the idempotency record with the effect; a key stored meanwhile rejects the whole plan on ${kind}`, async () => {
        const userId = randomUUID();
        const key = `k-${randomUUID()}`;
        const record = { userId, key, method: 'POST', path: '/api/instances', requestHash: 'h', statusCode: 201, response: { ok: true } };
        const ctx = await started({ idempotency: record });
        const [stored] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key)));
        expect(stored).toMatchObject({ statusCode: 201, response: { ok: true }, requestHash: 'h' });
        const again = store.commit([next(ctx, 'registered', { idempotency: record })]);
        await expect(again).rejects.toBeInstanceOf(IdempotencyRace);
        expect((await rows(ctx.row.id)).history).toHaveLength(1);
        const [row] = await db.select().from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, ctx.row.id)));
        expect(row!.version).toBe(1);
      });

      it(`inside a transaction with isolate: one instance's failing plans are undone alone and reported, the others commit on ${kind}`, async () => {
        const a = await started();
        const b = await started();
        // a's history already holds seq 2: its write fails after its row moved, and is undone
        await db.insert(events).values({ tenantId, instanceId: a.row.id, seq: 2, type: 'X', data: {}, actorRole: 'system', at: new Date(at(1)) });
        const failures: string[] = [];
        const answers = await db.transaction((tx) => store.within(tx, { isolate: true, onFailure: (p) => failures.push(p.instanceId) }).commit([next(a, 'registered'), next(b, 'registered')]));
        expect(answers).toEqual(['moved', 'ok']);
        expect(failures).toEqual([a.row.id]);
        const versions = await db.select({ id: instances.id, version: instances.version }).from(instances).where(and(eq(instances.tenantId, tenantId), sql`${instances.id} in (${a.row.id}, ${b.row.id})`));
        expect(Object.fromEntries(versions.map((v) => [v.id, v.version]))).toEqual({ [a.row.id]: 1, [b.row.id]: 2 });
      });
    });
  }
});
