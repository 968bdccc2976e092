import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { definitionVersions, ensurePartitions, outbox, type Db, type OutboxRow, type Tx } from '@estateflow/db';
import { step, type Effect, type EngineSnapshot } from '@estateflow/engine';
import { ApiError } from './errors.ts';
import { CompiledCache, type PinnedWorkflow } from './services/compiled-cache.ts';
import { unknownAssignee } from './services/assignees.ts';
import { planEvent, sendEvent, startInstance, storeOf, systemActor, type EventPathDeps } from './services/event-path.ts';
import { attachmentOrphanHours, sweepOrphanAttachments } from './services/attachment-sweep.ts';
import { auditRetentionDays, pruneAdminAudit } from './services/admin-audit.ts';
import { defaultLoginThrottle, pruneLoginThrottle, type LoginThrottleConfig } from './services/login-throttle.ts';
import { rearmSlaBatch } from './services/sla-rearm.ts';
import { cleanUpClosedCases } from './services/person-data.ts';
import { refreshRollups } from './services/rollups.ts';
import { recomputeEstate, untrustedEstates } from './services/bill-paid.ts';
import { DUNNING_WORKFLOW, runDunning } from './services/billing-dunning.ts';
import { SlaState } from './services/sla-timers.ts';
import { markDelivered } from './store/outbox-queue.ts';
import { billChargesAtOnce } from './services/one-off-charges.ts';
import { resumeRunJobs } from './services/billing-run-job.ts';
import { contextsFromJson, executeNamed, jsonValue, planWrite, rowAfter, rowsOf, type InstanceContext, type WritePlan } from './store/index.ts';

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
  /** unclaimed uploads older than this are removed (default EF_ATTACHMENT_ORPHAN_HOURS, else 72) */
  attachmentOrphanHours?: number;
  /** least time between two orphan-upload sweeps of this process, by the worker's clock (default 5 minutes) */
  attachmentSweepEveryMs?: number;
  /** uploads looked at per sweep batch (default 200) */
  attachmentSweepBatch?: number;
  /** the sign-in throttle's windows, which say when a counter is expired (default `defaultLoginThrottle`, as the API's) */
  loginThrottle?: LoginThrottleConfig;
  /** expired sign-in counters deleted per sweep (default 1,000; a full batch makes the next round sweep again) */
  loginThrottlePruneBatch?: number;
  /** least time between two dunning sweeps of this process (default 15 minutes): billing issues the notices due (services/billing-dunning.ts) */
  dunningEveryMs?: number;
  /** least time between two looks for estates whose paid totals are not trusted (default 15 minutes; services/bill-paid.ts), one repaired a round */
  paidRepairEveryMs?: number;
  /** where the worker reports what a sweep removed (default console.info) */
  log?: (message: string) => void;
}

export interface BatchResult {
  fired: number;
  skipped: number;
  cancelled: number;
  delivered: number;
  /** pending charges looked at by the at-once biller: billed as their own bill, or left for the next cycle */
  billedAtOnce: number;
  /** running instances whose SLA timers were re-armed for a published SLA policy or calendar */
  rearmed: number;
  /** a re-arm job has instances left beyond this round's batch */
  rearmMore: boolean;
  /** uploads never submitted, older than the limit, removed this round (0 when no sweep was due) */
  attachmentsRemoved: number;
  /** changed requests counted into the report rollups this round (services/rollups.ts) */
  rolledUp: number;
  /** bills whose paid totals were recomputed this round, for an estate whose rows were not trusted (0 most rounds) */
  paidRepaired: number;
}

type TimerCounts = Omit<BatchResult, 'delivered' | 'billedAtOnce' | 'rearmed' | 'rearmMore' | 'attachmentsRemoved' | 'rolledUp' | 'paidRepaired'>;

/** Outbox kinds the worker delivers; `charge` rows wait for billing (at once: `billChargesAtOnce`; else the cycle's run). */
const deliverable = ['notify', 'escalate', 'incident', 'startChild', 'parentDone', 'chargePaid'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ClaimedTimer = { tenantId: string; id: string; instanceId: string; key: string; event: string; data: Record<string, unknown>; dueAt: Date; orphan: boolean; sla: boolean };

/**
 * One statement claims a batch (`ef_claim_timers`, packages/db/sql), in the event path's lock order:
 * the oldest due timers' instances `FOR UPDATE SKIP LOCKED` (an instance another worker holds is
 * passed over), then their due armed timers, also `SKIP LOCKED`, so concurrent claimers get
 * disjoint instances and never wait on each other; due timers whose instance does not exist are
 * claimed as orphans (retired). It answers the timers in due order with the claimed instances read
 * as the event path reads them.
 */
async function claim(tx: Tx, now: Date, limit: number): Promise<{ timers: ClaimedTimer[]; contexts: Map<string, InstanceContext> }> {
  const [r] = rowsOf<{ c: unknown }>(await executeNamed(tx, 'ef_claim_timers', sql`select ef_claim_timers(${now.toISOString()}::timestamptz, ${limit}::int) as c`));
  const c = jsonValue<{ timers: [string, string, string, string, string, Record<string, unknown>, number, boolean, boolean][]; instances: unknown }>(r?.c);
  const timers = c.timers.map(([tenantId, id, instanceId, key, event, data, due, orphan, sla]) => ({ tenantId, id, instanceId, key, event, data: data ?? {}, dueAt: new Date(due), orphan, sla }));
  const contexts = new Map(contextsFromJson(c.instances).map((x) => [`${x.row.tenantId}/${x.row.id}`, x]));
  return { timers, contexts };
}

/** One claimed instance in a batch: the context as the batch's plans leave it, and what they retire. */
type Lane = {
  tenantId: string;
  instanceId: string;
  ctx?: InstanceContext;
  plans: WritePlan[];
  retired: { id: string; status: 'fired' | 'cancelled' }[];
  cancelledKeys: Set<string>;
  pinned?: PinnedWorkflow;
  calendars?: Record<string, unknown>;
};

/**
 * Fires one batch in one transaction of three round trips whatever its size: the claim (see
 * `claim`), then every claimed timer stepped in order in Node as the event path would, as `system`
 * (an SLA timer is checked against its clock instead), each change planned with `planWrite`, then
 * the EventStore commits every plan in one statement, each instance's plans in their own
 * subtransaction, the timers' new status riding on the instance's last plan, then the commit. A
 * refused or stale event retires its timer; an instance whose writes fail is undone alone and its
 * timers stay armed for a later round. A worker killed mid-batch loses its open transaction: every
 * timer of the batch stays armed for the next worker, and none fires twice.
 */
async function fireBatch(opts: WorkerOptions, deps: EventPathDeps, now: Date): Promise<TimerCounts> {
  const limit = opts.batchSize ?? 20;
  const onError = opts.onError ?? ((err: unknown) => console.error('[worker]', err));
  return opts.db.transaction(async (tx) => {
    const counts: TimerCounts = { fired: 0, skipped: 0, cancelled: 0 };
    const { timers: claimed, contexts } = await claim(tx, now, limit);
    if (claimed.length === 0) return counts;
    const at = now.toISOString();
    const lanes = new Map<string, Lane>();
    const laneOf = (t: ClaimedTimer): Lane => {
      const k = `${t.tenantId}/${t.instanceId}`;
      let lane = lanes.get(k);
      if (!lane) {
        const ctx = contexts.get(k);
        lane = { tenantId: t.tenantId, instanceId: t.instanceId, plans: [], retired: [], cancelledKeys: new Set(), ...(ctx ? { ctx } : {}) };
        lanes.set(k, lane);
      }
      return lane;
    };
    for (const timer of claimed) {
      const lane = laneOf(timer);
      const retire = (status: 'fired' | 'cancelled') => {
        lane.retired.push({ id: timer.id, status });
        counts[status]++;
      };
      const ctx = lane.ctx;
      if (timer.orphan || !ctx) {
        retire('cancelled');
        continue;
      }
      // an earlier timer of this batch stepped the same instance and cancelled this one
      if (lane.cancelledKeys.has(timer.key)) {
        counts.skipped++;
        continue;
      }
      try {
        const inst = ctx.row;
        if (!lane.pinned) {
          const [pinned, calendars] = await Promise.all([
            deps.cache.get(tx, inst.tenantId, inst.definitionVersionId),
            deps.cache.calendars(tx, inst.tenantId, inst.estateId, ctx.calendarStamp),
          ]);
          lane.pinned = pinned;
          lane.calendars = calendars;
        }
        if (timer.sla) {
          // an SLA deadline is not an event of the workflow: it is recorded and noticed, not sent to the machine
          const sla = await SlaState.of(tx, ctx, lane.calendars!, lane.pinned.params);
          const fired = sla ? sla.fire(timer, inst, now) : { status: 'cancelled' as const };
          if ('extras' in fired && fired.extras) lane.plans.push(planWrite(ctx, { kind: 'timers', ...fired.extras }, now));
          retire(fired.status);
        } else {
          const event = { type: timer.event, data: timer.data, timer: { id: timer.key, due: timer.dueAt.toISOString() } };
          const result = step(lane.pinned.compiled, inst.snapshot as unknown as EngineSnapshot, event, { now: at, actor: systemActor, calendars: lane.calendars!, params: lane.pinned.params });
          // refused (e.g. the instance ended, or a task assigned to no user of the estate) or stale: nothing is written; the timer is retired, not retried
          if (!result.ok || result.value.stale || await unknownAssignee(tx, inst.tenantId, inst.estateId, lane.pinned.compiled, result.value)) retire('cancelled');
          else {
            const plan = await planEvent(tx, ctx, { event, actor: systemActor, outcome: result.value, calendars: lane.calendars!, params: lane.pinned.params }, now);
            lane.plans.push(plan);
            // the next timer of this instance steps from here (the SLA history was appended to while planning)
            lane.ctx = { ...ctx, row: rowAfter(ctx, plan) };
            for (const k of plan.timers?.cancel ?? []) lane.cancelledKeys.add(k);
            retire('fired');
          }
        }
      } catch (e) {
        // a step that throws (not a refusal): this timer stays armed, the batch goes on
        counts.skipped++;
        onError(e);
      }
      if (opts.stepDelayMs) await sleep(opts.stepDelayMs);
    }
    const plans: WritePlan[] = [];
    for (const lane of lanes.values()) {
      if (lane.retired.length) {
        const firedTimers = { by: opts.workerId, timers: lane.retired };
        const last = lane.plans.at(-1);
        if (last) last.firedTimers = firedTimers;
        else lane.plans.push(planWrite(lane.ctx ?? { tenantId: lane.tenantId, id: lane.instanceId, gone: true }, { kind: 'timers', firedTimers }, now));
      }
      plans.push(...lane.plans);
    }
    if (plans.length === 0) return counts;
    const failed = new Set<string>();
    const store = storeOf(deps).within(tx, {
      isolate: true,
      onFailure: (plan, code, message) => {
        const k = `${plan.tenantId}/${plan.instanceId}`;
        if (failed.has(k)) return;
        failed.add(k);
        // this instance's writes were undone: its timers stay armed for a later round
        for (const t of lanes.get(k)?.retired ?? []) {
          counts[t.status]--;
          counts.skipped++;
        }
        onError(new Error(`timer writes for instance ${plan.instanceId} failed (${code}): ${message}`));
      },
    });
    await store.commit(plans);
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
  const effect = row.payload as unknown as Effect | { kind: 'chargePaid' };
  switch (effect.kind) {
    case 'startChild': {
      if (!row.instanceId) return;
      await startInstance(deps, {
        tenantId: row.tenantId, estateId: row.estateId, workflowKey: effect.workflow, data: effect.input, actor: systemActor,
        instanceId: effect.childId, parent: { instanceId: row.instanceId, doneEvent: effect.doneEvent },
      }, tx).catch((e: unknown) => {
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
    case 'chargePaid': {
      // billing cleared the charge's bill: the request gets its paid event (e.g. PAY) as the system, once (the row's id is the charge's)
      const paid = effect as unknown as { instanceId: string; event: string; billKey: string; paidOn?: string };
      await sendEvent(deps, {
        tenantId: row.tenantId, instanceId: paid.instanceId, actor: systemActor,
        event: { type: paid.event, data: { billKey: paid.billKey, ...(paid.paidOn ? { paidOn: paid.paidOn } : {}) } },
      }, tx).catch((e: unknown) => {
        // the request no longer waits for it (cancelled, or moved on): nothing to do
        if (!(e instanceof ApiError)) throw e;
      });
      return;
    }
    case 'notify':
    case 'escalate':
    case 'incident':
      // in-app delivery: the delivered row is the notice, listed by GET /api/notices
      return;
    default:
      return;
  }
}

/**
 * Delivers one batch of pending outbox rows, claimed with `FOR UPDATE SKIP LOCKED`: each row's
 * effect in turn (in-app notices need nothing more than the row), then one statement marks them all done.
 */
export async function deliverOutbox(opts: WorkerOptions, deps: EventPathDeps): Promise<number> {
  return opts.db.transaction(async (tx) => {
    const rows = await tx.select().from(outbox)
      .where(and(eq(outbox.status, 'pending'), inArray(outbox.kind, deliverable)))
      .orderBy(asc(outbox.createdAt))
      .limit(opts.batchSize ?? 20)
      .for('update', { skipLocked: true });
    if (rows.length === 0) return 0;
    for (const row of rows) await deliver(tx, row, deps);
    await markDelivered(tx, rows, deps.now(), opts.workerId);
    return rows.length;
  });
}

/**
 * Whether a periodic job of this process is due on `db`: never run, its last run is `everyMs` old, or
 * the clock went back. When due, now is recorded as its last run (before the job, so this process's
 * other loops do not run it alongside); deleting the entry makes the next round run it again.
 */
function claimDue(last: WeakMap<Db, number>, db: Db, now: Date, everyMs: number): boolean {
  const t = now.getTime();
  const prev = last.get(db);
  if (prev !== undefined && t >= prev && t - prev < everyMs) return false;
  last.set(db, t);
  return true;
}

/** When this process last started an orphan-upload sweep of a database, in ms of the worker's clock. */
const lastSweep = new WeakMap<Db, number>();

/**
 * One batch of the orphan-upload sweep (`sweepOrphanAttachments`) when the last one of this process
 * is `attachmentSweepEveryMs` old (or the clock went back); a full batch makes the next round sweep
 * again. A failed sweep is reported to `onError` and does not stop the round. Answers how many were removed.
 */
async function sweepIfDue(opts: WorkerOptions, now: Date): Promise<number> {
  if (!claimDue(lastSweep, opts.db, now, opts.attachmentSweepEveryMs ?? 5 * 60_000)) return 0;
  try {
    const hours = opts.attachmentOrphanHours ?? attachmentOrphanHours();
    const r = await sweepOrphanAttachments(opts.db, now, hours, opts.attachmentSweepBatch ?? 200);
    if (r.more) lastSweep.delete(opts.db);
    // administrative audit lines past their retention (never younger than 180 days) go in the same sweep
    const pruned = await pruneAdminAudit(opts.db, now, auditRetentionDays());
    if (pruned) (opts.log ?? console.info)(`[worker ${opts.workerId}] removed ${pruned} administrative audit line(s) past their retention`);
    // history and the outbox are partitioned by month: the months ahead are made before they are needed
    const months = await ensurePartitions(opts.db, now);
    if (months) (opts.log ?? console.info)(`[worker ${opts.workerId}] made ${months} month partition(s) of history and the outbox`);
    // sign-in counters whose window and delay are over (they would answer as no row does)
    const counters = await pruneLoginThrottle(opts.db, opts.loginThrottle ?? defaultLoginThrottle, now, opts.loginThrottlePruneBatch ?? 1_000);
    if (counters.more) lastSweep.delete(opts.db);
    if (counters.removed) (opts.log ?? console.info)(`[worker ${opts.workerId}] removed ${counters.removed} expired sign-in counter(s)`);
    // closed complaints past their retention window: personal data cleared, the case kept, one record each (CP-13)
    const batch = opts.attachmentSweepBatch ?? 200;
    const cleaned = await cleanUpClosedCases(opts.db, opts.cache ?? new CompiledCache(), now, batch);
    if (cleaned.requests >= batch) lastSweep.delete(opts.db);
    if (cleaned.requests) (opts.log ?? console.info)(`[worker ${opts.workerId}] cleared the personal data of ${cleaned.requests} closed request(s) past their retention (${cleaned.events} history entries); the cases are kept`);
    if (r.removed || r.claimed) {
      (opts.log ?? console.info)(`[worker ${opts.workerId}] removed ${r.removed} upload(s) never submitted (older than ${hours} h); kept ${r.claimed} named by history, now claimed`);
    }
    return r.removed;
  } catch (e) {
    (opts.onError ?? ((err: unknown) => console.error('[worker]', err)))(e);
    return 0;
  }
}

/** When this process last swept every estate for rollup upkeep, in ms of the worker's clock. */
const lastRollupSweep = new WeakMap<Db, number>();

/**
 * One batch of report rollup upkeep (services/rollups.ts): requests changed since the last round,
 * counted into the rollups in their own transaction, after the round's writes (never inside the
 * event path). A failure is reported and leaves the rollups as they were, for the next round.
 */
async function rollUp(opts: WorkerOptions, now: Date): Promise<number> {
  try {
    // every 15 minutes (or when the clock went back) the round sweeps every estate, not only past its mark
    const sweep = claimDue(lastRollupSweep, opts.db, now, 15 * 60_000);
    const n = await refreshRollups(opts.db, { now, batch: opts.batchSize ?? 20, sweep });
    // a sweep that found a full batch goes on next round
    if (sweep && n >= (opts.batchSize ?? 20)) lastRollupSweep.delete(opts.db);
    return n;
  } catch (e) {
    (opts.onError ?? ((err: unknown) => console.error('[worker]', err)))(e);
    return 0;
  }
}

const lastDunning = new WeakMap<Db, number>();

/**
 * Billing's dunning sweep (`runDunning`) of every estate with the dunning workflow installed, when
 * the last one of this process is `dunningEveryMs` old: overdue bills get their dunning process and
 * each notice due is issued with the bill's figures that day. An estate that fails is reported and
 * the others go on. Answers how many notices were issued.
 */
async function dunningIfDue(opts: WorkerOptions, deps: EventPathDeps, now: Date): Promise<number> {
  if (!claimDue(lastDunning, opts.db, now, opts.dunningEveryMs ?? 15 * 60_000)) return 0;
  let issued = 0;
  const estates = await opts.db.selectDistinct({ tenantId: definitionVersions.tenantId, estateId: definitionVersions.estateId }).from(definitionVersions)
    .where(and(eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, DUNNING_WORKFLOW)));
  for (const e of estates) {
    if (!e.estateId) continue;
    const estateId = e.estateId;
    try {
      const r = await opts.db.transaction((tx) => runDunning(deps, tx, { tenantId: e.tenantId, estateId }));
      issued += r.notices.length;
    } catch (err) {
      (opts.onError ?? ((x: unknown) => console.error('[worker]', x)))(err);
    }
  }
  return issued;
}

const lastPaidRepair = new WeakMap<Db, number>();

/**
 * The paid totals' self-repair (services/bill-paid.ts): when the last look of this process is
 * `paidRepairEveryMs` old, the estates whose rows are not trusted (after an upgrade that changed the
 * rows' format, or a mark lost) are found and the first is recomputed, a batch of units per
 * transaction; while more are left the next round repairs the next, so an upgrade heals itself
 * without `pnpm wf rollups recompute`. Answers the bills recomputed. A failure is reported and the
 * estate stays as it was (settled in full on each read: correct, slower) for the next look.
 */
async function repairPaidIfDue(opts: WorkerOptions, now: Date): Promise<number> {
  if (!claimDue(lastPaidRepair, opts.db, now, opts.paidRepairEveryMs ?? 15 * 60_000)) return 0;
  try {
    const stale = await untrustedEstates(opts.db);
    const first = stale[0];
    if (!first) return 0;
    const n = await recomputeEstate(opts.db, first.tenantId, first.estateId, now);
    (opts.log ?? console.info)(`[worker] recomputed the paid totals of estate ${first.estateId} (${n} bills); ${stale.length - 1} estate(s) left`);
    // more left: the next round goes on at once
    if (stale.length > 1) lastPaidRepair.delete(opts.db);
    return n;
  } catch (e) {
    (opts.onError ?? ((err: unknown) => console.error('[worker]', err)))(e);
    return 0;
  }
}

/** What a timer round did (`runTimerRound`): timers, deliveries and SLA re-arm. */
type TimerRound = Pick<BatchResult, 'fired' | 'skipped' | 'cancelled' | 'delivered' | 'rearmed' | 'rearmMore'>;
/** What an upkeep round did (`runUpkeepRound`): billing at once, sweeps, dunning and rollups. */
type UpkeepRound = Pick<BatchResult, 'billedAtOnce' | 'attachmentsRemoved' | 'rolledUp' | 'paidRepaired'>;

const depsOf = (opts: WorkerOptions): EventPathDeps => ({ db: opts.db, cache: opts.cache ?? new CompiledCache(), now: opts.now ?? (() => new Date()) });

/**
 * The time-critical part of a round: `concurrency` batches of due timers at once, then a batch of
 * outbox rows, then one batch (`batchSize` instances) of the oldest pending SLA re-arm job (a
 * published SLA policy or calendar). Deadlines and notices wait on this, so it never waits on upkeep.
 */
async function runTimerRound(opts: WorkerOptions, deps: EventPathDeps): Promise<TimerRound> {
  const t = await fireDueTimers(opts, deps);
  const delivered = await deliverOutbox(opts, deps);
  const rearm = await rearmSlaBatch(opts.db, deps.cache, deps.now(), opts.batchSize ?? 20, opts.workerId, opts.onError);
  return { ...t, delivered, rearmed: rearm.rearmed, rearmMore: rearm.more };
}

/**
 * The background part of a round: one batch of one-off charges billed at once, at most every
 * `attachmentSweepEveryMs` one batch of the orphan-upload sweep (with the audit lines past
 * retention and one batch of expired sign-in counters), at most every `dunningEveryMs` billing's
 * dunning sweep, billing runs left stale by their API process, one batch of report rollup upkeep, then
 * at most every `paidRepairEveryMs` the paid totals of one estate whose rows are not trusted. None of it is a deadline: `startWorker`
 * runs it in its own lane, which yields while timers are falling due.
 */
async function runUpkeepRound(opts: WorkerOptions, deps: EventPathDeps): Promise<UpkeepRound> {
  const atOnce = await billChargesAtOnce(opts.db, deps.now(), opts.batchSize ?? 20);
  const attachmentsRemoved = await sweepIfDue(opts, deps.now());
  await dunningIfDue(opts, deps, deps.now()).catch((e: unknown) => (opts.onError ?? ((x: unknown) => console.error('[worker]', x)))(e));
  // billing runs whose API process ended mid-run are finished here, from the units not yet done
  await resumeRunJobs(opts.db, deps.now).catch((e: unknown) => (opts.onError ?? ((x: unknown) => console.error('[worker]', x)))(e));
  const rolledUp = await rollUp(opts, deps.now());
  const paidRepaired = await repairPaidIfDue(opts, deps.now());
  return { billedAtOnce: atOnce.billed.length + atOnce.deferred, attachmentsRemoved, rolledUp, paidRepaired };
}

/**
 * One whole round, as tests and `pnpm wf` drive the worker by hand: the timer round (due timers,
 * then an outbox batch, then an SLA re-arm batch), with one-off charges billed at once before the
 * deliveries, so a bill and its notice go out in the same round, then the upkeep (sweeps, dunning,
 * rollups). `startWorker` runs the same two parts in separate lanes.
 */
export async function runWorkerOnce(opts: WorkerOptions): Promise<BatchResult> {
  const deps = depsOf(opts);
  const t = await fireDueTimers(opts, deps);
  const atOnce = await billChargesAtOnce(opts.db, deps.now(), opts.batchSize ?? 20);
  const delivered = await deliverOutbox(opts, deps);
  const rearm = await rearmSlaBatch(opts.db, deps.cache, deps.now(), opts.batchSize ?? 20, opts.workerId, opts.onError);
  const attachmentsRemoved = await sweepIfDue(opts, deps.now());
  await dunningIfDue(opts, deps, deps.now()).catch((e: unknown) => (opts.onError ?? ((x: unknown) => console.error('[worker]', x)))(e));
  // billing runs whose API process ended mid-run are finished here, from the units not yet done
  await resumeRunJobs(opts.db, deps.now).catch((e: unknown) => (opts.onError ?? ((x: unknown) => console.error('[worker]', x)))(e));
  const rolledUp = await rollUp(opts, deps.now());
  const paidRepaired = await repairPaidIfDue(opts, deps.now());
  return { ...t, delivered, billedAtOnce: atOnce.billed.length + atOnce.deferred, rearmed: rearm.rearmed, rearmMore: rearm.more, attachmentsRemoved, rolledUp, paidRepaired };
}

/** How long the upkeep lane waits while timer lanes are busy (ms): a report may lag, a deadline may not. */
const UPKEEP_YIELD_MS = 1_000;

/**
 * Polls until stopped: `concurrency` timer lanes (each one claim transaction at a time, on its own
 * connection: due timers, outbox, SLA re-arm; a lane that made progress goes again at once) and one
 * upkeep lane (billing at once, sweeps, dunning, rollups), which pauses `UPKEEP_YIELD_MS` after
 * each batch while any timer lane's last round was busy. Before the split, rollup upkeep sat in
 * every timer round and the timers bench fell from ~1,000 to ~400 fired/s while the rollups caught up.
 * @example const stop = startWorker({ db, workerId: 'w1' }); … await stop();
 */
export function startWorker(opts: WorkerOptions & { intervalMs?: number }): () => Promise<void> {
  // a bad EF_ATTACHMENT_ORPHAN_HOURS stops the start, not every round
  if (opts.attachmentOrphanHours === undefined) attachmentOrphanHours();
  let running = true;
  const cache = opts.cache ?? new CompiledCache();
  const batch = opts.batchSize ?? 20;
  const report = (e: unknown) => (opts.onError ?? ((err: unknown) => console.error('[worker]', err)))(e);
  /** when a timer lane last finished a busy round (ms, this process's clock) */
  let timersBusyAt = 0;
  const lane = async () => {
    const deps = depsOf({ ...opts, cache });
    while (running) {
      let busy = false;
      try {
        const r = await runTimerRound({ ...opts, cache, concurrency: 1 }, deps);
        busy = r.fired + r.cancelled > 0 || r.rearmMore || r.delivered >= batch;
      } catch (e) {
        report(e);
      }
      if (busy) timersBusyAt = Date.now();
      if (!busy && running) await sleep(opts.intervalMs ?? 1000);
    }
  };
  const upkeep = async () => {
    const deps = depsOf({ ...opts, cache });
    while (running) {
      let busy = false;
      try {
        const r = await runUpkeepRound(opts, deps);
        busy = r.billedAtOnce >= batch || r.rolledUp >= batch;
      } catch (e) {
        report(e);
      }
      if (!running) break;
      if (Date.now() - timersBusyAt < UPKEEP_YIELD_MS) await sleep(UPKEEP_YIELD_MS);
      else if (!busy) await sleep(opts.intervalMs ?? 1000);
    }
  };
  const loops = [...Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, lane), upkeep()];
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}
