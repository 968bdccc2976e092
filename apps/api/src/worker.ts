import { and, asc, eq, inArray, or, sql, type Column, type SQL } from 'drizzle-orm';
import { instances, outbox, timers, type Db, type Instance, type OutboxRow, type Tx } from '@estateflow/db';
import type { Effect } from '@estateflow/engine';
import { ApiError } from './errors.ts';
import { CompiledCache } from './services/compiled-cache.ts';
import { sendEvent, startInstance, systemActor, type EventPathDeps } from './services/event-path.ts';
import { estateCalendars } from './services/definition-store.ts';
import { fireSlaTimer, isSlaTimer } from './services/sla-timers.ts';

export interface WorkerOptions {
  db: Db;
  /** identifies this worker in `timers.fired_by` / `outbox.processed_by` */
  workerId: string;
  /** instances (with their due timers) claimed per transaction, and outbox rows per delivery (default 20) */
  batchSize?: number;
  /** claim transactions in flight at once, each on its own connection (default 2) */
  concurrency?: number;
  now?: () => Date;
  cache?: CompiledCache;
  /** pause after each timer, inside the batch's transaction (crash tests only) */
  stepDelayMs?: number;
  onError?: (e: unknown) => void;
}

export interface BatchResult {
  fired: number;
  skipped: number;
  cancelled: number;
  delivered: number;
}

type TimerCounts = Omit<BatchResult, 'delivered'>;

/** Outbox kinds the worker delivers; `charge` rows wait for billing. */
const deliverable = ['notify', 'escalate', 'incident', 'startChild', 'parentDone'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `(tenant_id = $t and id in (…)) or …`: rows by primary key, grouped by tenant. */
function byTenant(tenantCol: Column, idCol: Column, keys: { tenantId: string; id: string }[]): SQL {
  const groups = new Map<string, string[]>();
  for (const k of keys) groups.set(k.tenantId, [...(groups.get(k.tenantId) ?? []), k.id]);
  return or(...[...groups].map(([t, ids]) => and(eq(tenantCol, t), inArray(idCol, [...new Set(ids)]))))!;
}

/**
 * One statement claims a batch, in the event path's lock order: the oldest due timers' instances,
 * `FOR UPDATE SKIP LOCKED` (an instance a user event or another worker holds is passed over), then
 * their due armed timers, also `SKIP LOCKED`. Concurrent claimers thus get disjoint instances and
 * never wait on each other. Due timers whose instance does not exist are claimed as orphans (retired).
 */
function claimStatement(now: Date, limit: number): SQL {
  const at = now.toISOString();
  return sql`with cand as (
      select tenant_id, instance_id, due_at from timers
      where status = 'armed' and due_at <= ${at}::timestamptz
      order by due_at limit ${limit * 8}
    ), inst as (
      select i.tenant_id, i.id from instances i
      join (select tenant_id, instance_id, min(due_at) as due from cand group by tenant_id, instance_id) c
        on c.tenant_id = i.tenant_id and c.instance_id = i.id
      order by c.due limit ${limit}
      for update of i skip locked
    ), claimed as (
      select t.tenant_id, t.id, t.instance_id, t.due_at, false as orphan from timers t
      join inst on inst.tenant_id = t.tenant_id and inst.id = t.instance_id
      where t.status = 'armed' and t.due_at <= ${at}::timestamptz
      for update of t skip locked
    ), orphans as (
      select t.tenant_id, t.id, t.instance_id, t.due_at, true as orphan from timers t
      join (select distinct tenant_id, instance_id from cand) c on c.tenant_id = t.tenant_id and c.instance_id = t.instance_id
      where t.status = 'armed' and t.due_at <= ${at}::timestamptz
        and not exists (select 1 from instances i where i.tenant_id = t.tenant_id and i.id = t.instance_id)
      for update of t skip locked
    )
    select tenant_id::text as tenant_id, id::text as id, instance_id::text as instance_id, orphan from (select * from claimed union all select * from orphans) u order by due_at`;
}

type ClaimRow = { tenant_id: string; id: string; instance_id: string; orphan: boolean | string };
const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : ((r as { rows?: T[] }).rows ?? [])) as T[];

/**
 * Fires one batch in one transaction: claims (see `claimStatement`), then sends each timer's event
 * through the event path as `system` with the instance already locked, each under its own
 * SAVEPOINT so a timer whose writes fail is rolled back alone (and stays armed for a later round);
 * a refused event retires its timer. The timers' new status goes in one statement per status at the
 * end, then the commit. A worker killed mid-batch loses its open transaction: every timer of the
 * batch stays armed for the next worker, and none fires twice.
 */
async function fireBatch(opts: WorkerOptions, deps: EventPathDeps, now: Date): Promise<TimerCounts> {
  const limit = opts.batchSize ?? 20;
  return opts.db.transaction(async (tx) => {
    const counts: TimerCounts = { fired: 0, skipped: 0, cancelled: 0 };
    const claimed = rowsOf<ClaimRow>(await tx.execute(claimStatement(now, limit)));
    if (claimed.length === 0) return counts;
    const orphan = (r: ClaimRow) => r.orphan === true || r.orphan === 't' || r.orphan === 'true';
    const live = claimed.filter((r) => !orphan(r));
    const retired = claimed.filter(orphan).map((r) => ({ tenantId: r.tenant_id, id: r.id }));
    const locked = new Map<string, Instance>();
    // the claimed rows in full: timers and their (locked) instances, in one round trip
    const [timerRows, instRows] = live.length === 0 ? [[], []] : await Promise.all([
      tx.select().from(timers).where(byTenant(timers.tenantId, timers.id, live.map((r) => ({ tenantId: r.tenant_id, id: r.id })))),
      tx.select().from(instances).where(byTenant(instances.tenantId, instances.id, live.map((r) => ({ tenantId: r.tenant_id, id: r.instance_id })))),
    ]);
    for (const r of instRows) locked.set(`${r.tenantId}/${r.id}`, r);
    timerRows.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    // calendars read once per estate per batch, not once per timer
    const calendars = new Map<string, Promise<Record<string, unknown>>>();
    const batchDeps: EventPathDeps = {
      ...deps,
      calendars: (db, tenantId, estateId) => {
        const k = `${tenantId}/${estateId}`;
        let hit = calendars.get(k);
        if (!hit) calendars.set(k, (hit = estateCalendars(db, tenantId, estateId)));
        return hit;
      },
    };
    const done: Record<'fired' | 'cancelled', { tenantId: string; id: string }[]> = { fired: [], cancelled: [...retired] };
    counts.cancelled += retired.length;
    const stepped = new Set<string>();
    const pending: Promise<unknown>[] = [];
    // statements are sent without waiting where the order on the connection is all that matters
    const send = (q: string) => {
      // .then() sends it now, ahead of whatever the event path sends next on this connection
      const p = tx.execute(sql.raw(q)).then(() => undefined);
      p.catch(() => undefined);
      pending.push(p);
    };
    let n = 0;
    for (const timer of timerRows) {
      const ik = `${timer.tenantId}/${timer.instanceId}`;
      const sp = `ef_timer_${++n}`;
      send(`savepoint ${sp}`);
      try {
        if (stepped.has(ik)) {
          // an earlier timer of this batch stepped the same instance and may have cancelled this one
          const [still] = await tx.select({ id: timers.id }).from(timers)
            .where(and(eq(timers.tenantId, timer.tenantId), eq(timers.id, timer.id), eq(timers.status, 'armed')));
          if (!still) {
            send(`release savepoint ${sp}`);
            counts.skipped++;
            continue;
          }
        }
        let status: 'fired' | 'cancelled' = 'fired';
        const inst = locked.get(ik);
        // an SLA deadline is not an event of the workflow: it is recorded and noticed, not sent to the machine
        if (isSlaTimer(timer)) status = await fireSlaTimer(tx, deps.cache, timer, now);
        else try {
          const sent = await sendEvent(batchDeps, {
            tenantId: timer.tenantId, instanceId: timer.instanceId, actor: systemActor,
            event: { type: timer.event, data: timer.data, timer: { id: timer.key, due: timer.dueAt.toISOString() } },
            ...(inst ? { locked: inst } : {}),
          }, tx);
          if (sent.stale) status = 'cancelled';
          else locked.set(ik, sent.instance);
        } catch (e) {
          // refused (e.g. the instance ended): nothing was written; the timer is retired, not retried
          if (!(e instanceof ApiError)) throw e;
          status = 'cancelled';
          send(`rollback to savepoint ${sp}`);
        }
        send(`release savepoint ${sp}`);
        stepped.add(ik);
        done[status].push({ tenantId: timer.tenantId, id: timer.id });
        counts[status]++;
        if (opts.stepDelayMs) await sleep(opts.stepDelayMs);
      } catch (e) {
        // a failed write: this timer's statements are undone, it stays armed, the batch goes on
        await tx.execute(sql.raw(`rollback to savepoint ${sp}`));
        send(`release savepoint ${sp}`);
        stepped.add(ik);
        counts.skipped++;
        (opts.onError ?? ((err) => console.error('[worker]', err)))(e);
      }
    }
    // a savepoint statement that failed leaves the transaction unusable: give the whole batch back
    for (const r of await Promise.allSettled(pending)) if (r.status === 'rejected') throw r.reason;
    const writes: PromiseLike<unknown>[] = [];
    for (const status of ['fired', 'cancelled'] as const) {
      if (done[status].length) {
        writes.push(tx.update(timers).set({ status, firedAt: now, firedBy: opts.workerId }).where(byTenant(timers.tenantId, timers.id, done[status])));
      }
    }
    await Promise.all(writes);
    return counts;
  });
}

/**
 * Fires due timers: `concurrency` claim transactions at once, each one batch (see `fireBatch`).
 * Concurrent claimers, in this process or another, get disjoint instances and timers.
 */
export async function fireDueTimers(opts: WorkerOptions, deps: EventPathDeps): Promise<TimerCounts> {
  const now = deps.now();
  const lanes = Math.max(1, opts.concurrency ?? 2);
  const results = await Promise.all(Array.from({ length: lanes }, () => fireBatch(opts, deps, now)));
  return results.reduce((a, r) => ({ fired: a.fired + r.fired, skipped: a.skipped + r.skipped, cancelled: a.cancelled + r.cancelled }), { fired: 0, skipped: 0, cancelled: 0 });
}

async function deliver(tx: Tx, row: OutboxRow, deps: EventPathDeps): Promise<void> {
  const effect = row.payload as unknown as Effect;
  switch (effect.kind) {
    case 'startChild': {
      if (!row.instanceId) return;
      await startInstance({ ...deps, db: tx as unknown as Db }, {
        tenantId: row.tenantId, estateId: row.estateId, workflowKey: effect.workflow, data: effect.input, actor: systemActor,
        instanceId: effect.childId, parent: { instanceId: row.instanceId, doneEvent: effect.doneEvent },
      }).catch((e: unknown) => {
        if (!(e instanceof ApiError)) throw e;
      });
      return;
    }
    case 'parentDone':
      await sendEvent(deps, {
        tenantId: row.tenantId, instanceId: effect.parent.instanceId, actor: systemActor,
        event: { type: effect.parent.doneEvent, data: (effect.output ?? {}) as Record<string, unknown> },
      }, tx).catch((e: unknown) => {
        if (!(e instanceof ApiError)) throw e;
      });
      return;
    case 'notify':
    case 'escalate':
    case 'incident':
      // in-app delivery: the delivered row is the notice, listed by GET /api/notices
      return;
    default:
      return;
  }
}

/** Delivers one batch of pending outbox rows, claimed with `FOR UPDATE SKIP LOCKED`. */
export async function deliverOutbox(opts: WorkerOptions, deps: EventPathDeps): Promise<number> {
  return opts.db.transaction(async (tx) => {
    const rows = await tx.select().from(outbox)
      .where(and(eq(outbox.status, 'pending'), inArray(outbox.kind, deliverable)))
      .orderBy(asc(outbox.createdAt))
      .limit(opts.batchSize ?? 20)
      .for('update', { skipLocked: true });
    for (const row of rows) {
      await deliver(tx, row, deps);
      await tx.update(outbox).set({ status: 'done', attempts: sql`${outbox.attempts} + 1`, processedAt: deps.now(), processedBy: opts.workerId })
        .where(and(eq(outbox.tenantId, row.tenantId), eq(outbox.id, row.id)));
    }
    return rows.length;
  });
}

/** One round: `concurrency` batches of due timers at once, then a batch of outbox rows. */
export async function runWorkerOnce(opts: WorkerOptions): Promise<BatchResult> {
  const deps: EventPathDeps = { db: opts.db, cache: opts.cache ?? new CompiledCache(), now: opts.now ?? (() => new Date()) };
  const t = await fireDueTimers(opts, deps);
  const delivered = await deliverOutbox(opts, deps);
  return { ...t, delivered };
}

/**
 * Polls for due timers and outbox rows until stopped: `concurrency` independent loops (each one
 * claim transaction at a time, on its own connection); a loop that made progress goes again at once.
 * @example const stop = startWorker({ db, workerId: 'w1' }); … await stop();
 */
export function startWorker(opts: WorkerOptions & { intervalMs?: number }): () => Promise<void> {
  let running = true;
  const cache = opts.cache ?? new CompiledCache();
  const lane = async () => {
    while (running) {
      let busy = false;
      try {
        const r = await runWorkerOnce({ ...opts, cache, concurrency: 1 });
        busy = r.fired + r.cancelled > 0 || r.delivered >= (opts.batchSize ?? 20);
      } catch (e) {
        (opts.onError ?? ((err) => console.error('[worker]', err)))(e);
      }
      if (!busy && running) await sleep(opts.intervalMs ?? 1000);
    }
  };
  const loops = Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, lane);
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}
