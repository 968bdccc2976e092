/**
 * The reference EventStore: read it first. `load` reads an instance and its context with plain
 * queries; `commit` writes each plan in one drizzle transaction, part by part, in the order the
 * WritePlan lists them. The rules it applies are the database's (packages/db/sql/): the calendar
 * fingerprint, the bound SLA policies, the context check, the SLA timer-key scheme and the SLA
 * context lock are called, not restated. The fast store (fast-store.ts) does the same in one
 * statement; the contract suite holds both to the same answers.
 */
import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { attachments, auditLog, events, historySince, idempotencyKeys, instances, outbox, tasks, timers, type DbOrTx, type Tx } from '@estateflow/db';
import { IdempotencyRace, type BoundVersion, type CommitAnswer, type EventStore, type InstanceContext, type InstanceKey, type WithinOptions } from './event-store.ts';
import { jsonValue, rowsOf } from './sql.ts';
import type { SlaTimersWrite, WritePlan } from './write-plan.ts';

/** The value of a one-row, one-column select (parsed when `json`). */
async function scalar<T>(db: DbOrTx, query: ReturnType<typeof sql>, json = false): Promise<T> {
  const [r] = rowsOf<{ v: unknown }>(await db.execute(sql`select ${query} as v`));
  return (json ? jsonValue<T>(r?.v ?? null) : r?.v) as T;
}

/** Thrown inside a strict plan that no longer holds, to undo its subtransaction. */
class Moved extends Error {}

export class ReferenceEventStore implements EventStore {
  constructor(private readonly db: DbOrTx, private readonly tx?: WithinOptions) {}

  async load(keys: InstanceKey[]): Promise<InstanceContext[]> {
    const out: InstanceContext[] = [];
    for (const [tenantId, id] of keys) {
      const [row] = await this.db.select().from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.id, id)));
      if (!row) continue;
      const calendarStamp = await scalar<string>(this.db, sql`ef_calendar_fingerprint(${tenantId}::uuid, ${row.estateId}::uuid)`);
      const bound = await scalar<[string, string, number][] | null>(this.db, sql`ef_bound_sla(${tenantId}::uuid, ${row.estateId}::uuid, ${row.workflowKey})`, true);
      const sla: BoundVersion[] | null = bound ? bound.map(([vid, key, version]) => ({ id: vid, key, version })) : null;
      const armed = await this.db.select({ id: timers.id, dueAt: timers.dueAt }).from(timers)
        .where(and(eq(timers.tenantId, tenantId), eq(timers.instanceId, id), eq(timers.status, 'armed'), sql`ef_is_sla_timer(${timers.key})`));
      const history = sla
        ? await this.db.select({ at: events.at, type: events.type, data: events.data, stateAfter: events.stateAfter }).from(events)
          .where(and(eq(events.tenantId, tenantId), eq(events.instanceId, id), historySince(row.startedAt))).orderBy(asc(events.seq))
        : null;
      out.push({ row, calendarStamp, sla, armed, history });
    }
    return out;
  }

  async commit(plans: WritePlan[]): Promise<CommitAnswer[]> {
    if (plans.length === 0) return [];
    if (!this.tx) return (this.db as DbOrTx).transaction((tx) => this.commitAll(tx, plans, false));
    return this.commitAll(this.db as Tx, plans, this.tx.isolate ?? false);
  }

  within(tx: Tx, options: WithinOptions = {}): EventStore {
    return new ReferenceEventStore(tx, options);
  }

  private async commitAll(tx: Tx, plans: WritePlan[], isolate: boolean): Promise<CommitAnswer[]> {
    const answers: CommitAnswer[] = [];
    if (!isolate) {
      for (const plan of plans) answers.push(await this.commitPlan(tx, plan, false));
      return answers;
    }
    // the worker: each instance's run of plans in its own subtransaction, strictly
    for (let n = 0; n < plans.length;) {
      let end = n + 1;
      while (end < plans.length && plans[end]!.instanceId === plans[n]!.instanceId && plans[end]!.tenantId === plans[n]!.tenantId) end++;
      const run = plans.slice(n, end);
      try {
        await tx.transaction(async (sp) => {
          for (const plan of run) await this.commitPlan(sp, plan, true);
        });
        answers.push(...run.map(() => 'ok' as const));
      } catch (e) {
        const code = e instanceof Moved ? '40001' : String((e as { code?: unknown }).code ?? (e as { cause?: { code?: unknown } }).cause?.code ?? 'XX000');
        for (const plan of run) this.tx?.onFailure?.(plan, code, e instanceof Error ? e.message : String(e));
        answers.push(...run.map(() => 'moved' as const));
      }
      n = end;
    }
    return answers;
  }

  /** One plan: the instance part first (nothing else is written when it does not hold), then each other part present. */
  private async commitPlan(tx: Tx, plan: WritePlan, strict: boolean): Promise<CommitAnswer> {
    if (!(await this.writeInstance(tx, plan))) {
      if (strict) throw new Moved(`instance ${plan.instanceId} moved or its context changed`);
      return 'moved';
    }
    const { tenantId, instanceId } = plan;
    // rows that carry the estate are only written for an instance that exists (see WritePlan.estateId)
    const estateId = plan.estateId ?? '';
    const at = new Date(plan.at);
    const ofInstance = and(eq(timers.tenantId, tenantId), eq(timers.instanceId, instanceId));
    const openTask = (key: string) => and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, instanceId), eq(tasks.key, key), eq(tasks.status, 'open'));
    if (plan.history) {
      const h = plan.history;
      await tx.insert(events).values({ tenantId, instanceId, seq: h.seq, type: h.type, data: h.data, actorId: h.actorId, actorRole: h.actorRole, at, idempotencyKey: h.idempotencyKey, stateAfter: h.stateAfter });
    }
    if (plan.timers?.cancel?.length) {
      await tx.update(timers).set({ status: 'cancelled' }).where(and(ofInstance, eq(timers.status, 'armed'), inArray(timers.key, plan.timers.cancel)));
    }
    if (plan.timers?.arm?.length) {
      await tx.insert(timers).values(plan.timers.arm.map((t) => ({ tenantId, id: t.id, instanceId, key: t.key, event: t.event, data: t.data, dueAt: new Date(t.dueAt) })));
    }
    for (const m of plan.timers?.move ?? []) {
      await tx.update(timers).set({ dueAt: new Date(m.dueAt) }).where(and(ofInstance, eq(timers.status, 'armed'), eq(timers.key, m.key)));
    }
    for (const [keys, status] of [[plan.tasks?.close, 'done'], [plan.tasks?.cancel, 'cancelled']] as const) {
      if (keys?.length) {
        await tx.update(tasks).set({ status, closedAt: at })
          .where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, instanceId), eq(tasks.status, 'open'), inArray(tasks.key, keys)));
      }
    }
    if (plan.tasks?.open?.length) {
      await tx.insert(tasks).values(plan.tasks.open.map((t) => ({
        tenantId, id: t.id, estateId, instanceId, key: t.key, title: t.title as { zh: string; en: string }, role: t.role, assigneeId: t.assigneeId,
        form: t.form, events: t.events, dueAt: t.dueAt ? new Date(t.dueAt) : null, createdAt: at,
      })));
    }
    for (const r of plan.tasks?.reassign ?? []) await tx.update(tasks).set({ role: r.role, assigneeId: r.assigneeId }).where(openTask(r.key));
    for (const m of plan.tasks?.move ?? []) await tx.update(tasks).set({ dueAt: new Date(m.dueAt) }).where(openTask(m.key));
    if (plan.slaTimers) await this.matchSlaTimers(tx, plan, plan.slaTimers);
    const rows = [
      ...(plan.outbox ?? []).map((o) => ({ id: o.id, kind: o.kind, payload: o.payload })),
      ...(plan.charges ?? []).map((c) => ({ id: c.id, kind: 'charge', payload: c.payload })),
    ];
    if (rows.length) await tx.insert(outbox).values(rows.map((o) => ({ tenantId, estateId, instanceId, ...o, createdAt: at })));
    if (plan.attachments?.length) {
      await tx.update(attachments).set({ claimedAt: at }).where(and(eq(attachments.tenantId, tenantId), inArray(attachments.id, plan.attachments), isNull(attachments.claimedAt)));
    }
    if (plan.audit?.length) {
      await tx.insert(auditLog).values(plan.audit.map((a) => ({ tenantId, estateId, at, ...a })));
    }
    if (plan.idempotency) {
      const k = plan.idempotency;
      const stored = await tx.insert(idempotencyKeys).values({ tenantId, ...k, createdAt: at }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
      if (stored.length === 0) throw new IdempotencyRace(k.key);
    }
    for (const t of plan.firedTimers?.timers ?? []) {
      await tx.update(timers).set({ status: t.status, firedAt: at, firedBy: plan.firedTimers!.by }).where(and(eq(timers.tenantId, tenantId), eq(timers.id, t.id)));
    }
    return 'ok';
  }

  /** The instance part of a plan (its snapshot, or the claim of one of its tasks); false when it does not hold (see `SnapshotWrite`, `TaskClaimWrite`). */
  private async writeInstance(tx: Tx, plan: WritePlan): Promise<boolean> {
    const s = plan.snapshot;
    if (plan.claim) {
      if (s) throw new Error('a plan with a claim changes no snapshot');
      const c = plan.claim;
      const claimed = await tx.update(tasks).set({ assigneeId: c.assigneeId, role: c.role, claimedAt: c.assigneeId ? new Date(plan.at) : null })
        .where(and(eq(tasks.tenantId, plan.tenantId), eq(tasks.id, c.taskId), eq(tasks.instanceId, plan.instanceId), eq(tasks.status, 'open'),
          c.unlessHeld && c.assigneeId ? or(isNull(tasks.assigneeId), eq(tasks.assigneeId, c.assigneeId)) : undefined))
        .returning({ id: tasks.id });
      return claimed.length === 1;
    }
    if (!s) return true;
    const { tenantId, instanceId: id } = plan;
    const estateId = plan.estateId ?? '';
    const at = new Date(plan.at);
    const contextHolds = async () => !plan.context || await scalar<boolean>(tx, sql`ef_context_holds(${tenantId}::uuid, ${estateId}::uuid, ${JSON.stringify(plan.context)}::jsonb)`);
    const row = and(eq(instances.tenantId, tenantId), eq(instances.id, id));
    switch (s.write) {
      case 'create': {
        // starts and the re-arm job meet on this lock (packages/db/sql/ef_sla_context_lock.sql)
        await tx.execute(sql`select pg_advisory_xact_lock_shared(ef_sla_context_lock(${tenantId}::uuid, ${estateId}::uuid))`);
        if (!(await contextHolds())) return false;
        await tx.insert(instances).values({
          tenantId, id, estateId, ...s.created, state: s.document.value as object, snapshot: s.document as unknown as Record<string, unknown>,
          status: s.status, grade: s.grade, searchText: s.searchText, version: 1, startedAt: at, updatedAt: at, endedAt: s.endedAt ? new Date(s.endedAt) : null,
        });
        return true;
      }
      case 'next': {
        if (!(await contextHolds())) return false;
        const moved = await tx.update(instances).set({
          snapshot: s.document as unknown as Record<string, unknown>, state: s.document.value as object, version: s.expectedVersion + 1, status: s.status,
          grade: s.grade, searchText: s.searchText, updatedAt: at, endedAt: s.endedAt ? new Date(s.endedAt) : null,
        }).where(and(row, eq(instances.version, s.expectedVersion))).returning({ id: instances.id });
        return moved.length === 1;
      }
      case 'hold': {
        // never wait on an event's write (nor deadlock with a group commit): another writer holding the row is `moved`
        const held = await tx.select({ id: instances.id }).from(instances).where(and(row, eq(instances.version, s.expectedVersion))).for('no key update', { skipLocked: true });
        if (held.length === 0 || !(await contextHolds())) return false;
        if (s.document) await tx.update(instances).set({ snapshot: s.document as unknown as Record<string, unknown> }).where(row);
        return true;
      }
      default:
        return s satisfies never;
    }
  }

  /**
   * Makes the instance's SLA timers match `w`: a future armed one (other than the one being fired)
   * whose key and due instant are not both wanted is cancelled; a wanted one not armed so is inserted.
   */
  private async matchSlaTimers(tx: Tx, plan: WritePlan, w: SlaTimersWrite): Promise<void> {
    const { tenantId, instanceId } = plan;
    const now = new Date(w.now).getTime();
    const wanted = await Promise.all(w.wanted.map(async (x) => ({
      ...x, key: await scalar<string>(tx, sql`ef_sla_timer_key(${x.policy}, ${x.metric}, ${x.kind}, ${x.step}::int)`), due: new Date(x.dueAt).getTime(),
    })));
    const armed = (await tx.select({ id: timers.id, key: timers.key, dueAt: timers.dueAt }).from(timers)
      .where(and(eq(timers.tenantId, tenantId), eq(timers.instanceId, instanceId), eq(timers.status, 'armed'), sql`ef_is_sla_timer(${timers.key})`)))
      .filter((t) => t.dueAt.getTime() > now && t.id !== w.except);
    const matches = (t: { key: string; dueAt: Date }, x: { key: string; due: number }) => t.key === x.key && t.dueAt.getTime() === x.due;
    const cancel = armed.filter((t) => !wanted.some((x) => matches(t, x))).map((t) => t.id);
    if (cancel.length) await tx.update(timers).set({ status: 'cancelled' }).where(and(eq(timers.tenantId, tenantId), inArray(timers.id, cancel)));
    const insert = wanted.filter((x) => !armed.some((t) => matches(t, x)));
    if (insert.length) {
      await tx.insert(timers).values(insert.map((x) => ({ tenantId, id: x.id, instanceId, key: x.key, event: x.event, data: x.data, dueAt: new Date(x.dueAt) })));
    }
  }
}
