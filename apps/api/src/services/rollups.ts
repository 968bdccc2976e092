/**
 * Report rollups (#21, #22): what the dashboard, the SLA, revisit and monthly statistics reports
 * count, kept per estate, local day started, workflow, category, channel and complaint grade (and
 * per SLA policy and metric, and per revisit method), so a report reads a few hundred rollup rows
 * instead of a year of history.
 *
 * Kept by the worker, off the event path: each round reads, per estate, the instances whose
 * version differs from the one their figures were computed at (`report_facts.version`), in the
 * order of `instances_updated_idx` from a mark a little behind the last one read (a write that
 * committed late is still seen), computes each one's figures from its history (`factOf`), and adds
 * the difference between the new figures and the old to the rollups, all in one transaction. A
 * change read twice has the same figures the second time and adds nothing: the rollups are always
 * the sum of the facts, which `recomputeRollups` (`pnpm wf rollups recompute`) rebuilds from history.
 *
 * SLA clocks settled (met, breached) are counted in the rollups; clocks still running, paused or
 * pending change with the time alone, so the few facts that hold one (`open_clocks`) are read by
 * the report and counted as of its `now` (a running clock whose due instant has passed is breached).
 */
import { and, eq, sql } from 'drizzle-orm';
import { estates, instances, reportFacts, type DbOrTx, type Instance } from '@estateflow/db';
import { ClockInputCache, clocksFromHistory, type ClockHistoryRow } from './sla-clocks.ts';
import { earliestStart, historiesOf } from './instance-scan.ts';
import { uuidArray } from './keyset.ts';
import { rowsOf } from '../store/index.ts';

/**
 * How a revisit is recorded in the catalogue's bundles: a `REVISIT` event whose form (ps-revisit,
 * rp-revisit, cp-revisit, hd-owner-revisit) has a required enum field `method`. The paid-service and
 * repair forms say `"phone" | "onsite"`, the complaint and difficult-owner forms `"phone" | "visit"`:
 * both `onsite` and `visit` are 上门 (on site), `phone` is not (PS-8: ≥ 5 % on site).
 */
export const REVISIT_EVENT = 'REVISIT';
export const REVISIT_METHOD_FIELD = 'method';
export const ON_SITE_METHODS: readonly string[] = ['onsite', 'visit'];
export const isOnSite = (method: string | null): boolean => method !== null && ON_SITE_METHODS.includes(method);

/**
 * Satisfied or not, as the revisit forms record it: `satisfied` (ps-, cp-, hd-owner-revisit) when
 * given, else `satisfaction` 1–5 (rp-revisit, cp-revisit), 4 and 5 satisfied (满意, 非常满意); a
 * revisit with neither is counted as neither.
 */
export function satisfactionOf(data: Record<string, unknown>): 'satisfied' | 'dissatisfied' | undefined {
  if (typeof data.satisfied === 'boolean') return data.satisfied ? 'satisfied' : 'dissatisfied';
  if (typeof data.satisfaction === 'number') return data.satisfaction >= 4 ? 'satisfied' : 'dissatisfied';
  return undefined;
}

/** One SLA clock in a fact: policy, metric, status, due instant (ms) when running. */
/** `s` stopped: the request ended before the clock's goal was met or missed; settled, counted neither met nor breached */
export type FactClock = { p: string; m: string; s: 'met' | 'breached' | 'running' | 'paused' | 'pending' | 'stopped'; due: number | null };

/** One instance's figures (the `report_facts` row). */
export interface Fact {
  tenantId: string;
  instanceId: string;
  estateId: string;
  version: number;
  startedAt: Date;
  day: string;
  workflowKey: string;
  category: string;
  channel: string;
  grade: string;
  status: string;
  figures: { methods: Record<string, number>; satisfied: number; dissatisfied: number; reworks: number; clocks: FactClock[]; households?: number; returned?: number; tasks?: TaskCounts };
}

/** A request's tasks: all of them (any status), those done, and those done by their due instant (or with none); a cancelled one (the request moved on without it) was never done. */
export type TaskCounts = { all: number; closed: number; onTime: number };

/** The task counts of some requests of a tenant, by request (one statement on tasks_instance_idx). */
export async function taskCountsOf(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<Map<string, TaskCounts>> {
  const rows = ids.length === 0 ? [] : rowsOf<{ instance_id: string; n: number; closed: number; on_time: number }>(await db.execute(sql`
    select instance_id, count(*)::int as n, (count(*) filter (where status = 'done'))::int as closed,
      (count(*) filter (where status = 'done' and (due_at is null or closed_at <= due_at)))::int as on_time
    from tasks where tenant_id = ${tenantId}::uuid and instance_id = any(${uuidArray(ids)}) group by instance_id`));
  return new Map(rows.map((r) => [r.instance_id, { all: Number(r.n), closed: Number(r.closed), onTime: Number(r.on_time) }]));
}

/** The local calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The instant a local day begins in a time zone. */
export function dayStart(day: string, timeZone: string): Date {
  const guess = Date.parse(`${day}T00:00:00Z`);
  const offsetAt = (t: number) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * An instance's figures from its history: category (the context's `category`), channel (the start
 * form's `channel`), complaint grade, status, the revisits of its history by method and
 * satisfaction, reworks (the context's `reworkCount`), and its SLA clocks as of `now`.
 */
export function factOf(inst: Instance, history: readonly ClockHistoryRow[], clocks: readonly { policy: string; metricId: string; status: FactClock['s']; dueAt: string | null }[], timeZone: string, tasks?: TaskCounts): Fact {
  const data = ((inst.snapshot as { context?: { data?: Record<string, unknown> } }).context?.data ?? {}) as Record<string, unknown>;
  const methods: Record<string, number> = {};
  let satisfied = 0;
  let dissatisfied = 0;
  for (const e of history) {
    if (e.type !== REVISIT_EVENT) continue;
    const method = text(e.data[REVISIT_METHOD_FIELD]) || 'none';
    methods[method] = (methods[method] ?? 0) + 1;
    const s = satisfactionOf(e.data);
    if (s === 'satisfied') satisfied++;
    else if (s === 'dissatisfied') dissatisfied++;
  }
  const rework = Number(data.reworkCount);
  const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : 0);
  return {
    tenantId: inst.tenantId, instanceId: inst.id, estateId: inst.estateId, version: inst.version, startedAt: inst.startedAt,
    day: localDay(inst.startedAt, timeZone), workflowKey: inst.workflowKey,
    category: text(data.category), channel: text(history[0]?.data.channel) || text(data.channel), grade: inst.grade ?? '', status: inst.status,
    figures: {
      methods, satisfied, dissatisfied, reworks: Number.isInteger(rework) && rework > 0 ? rework : 0,
      // a survey's households asked and forms returned (survey.workflow.json's context)
      ...(count(data.households) || count(data.returned) ? { households: count(data.households), returned: count(data.returned) } : {}),
      clocks: clocks.map((c) => ({ p: c.policy, m: c.metricId, s: c.status, due: c.dueAt ? Date.parse(c.dueAt) : null })),
      ...(tasks && tasks.all > 0 ? { tasks } : {}),
    },
  };
}

/** A clock's status as of `now`: a running clock whose due instant has passed is breached (as computeClocks says). */
export const clockStatusAt = (c: FactClock, now: number): FactClock['s'] => (c.s === 'running' && c.due !== null && now >= c.due ? 'breached' : c.s);
const settled = (s: FactClock['s']) => s === 'met' || s === 'breached' || s === 'stopped';

/** What the rollups hold, keyed by their dimensions. */
export type RollupCounts = { started: number; finished: number; revisited: number; revisits: number; onSite: number; satisfied: number; dissatisfied: number; reworked: number; reworks: number; households: number; returned: number; tasks: number; tasksClosed: number; tasksOnTime: number };
export interface Rollups {
  main: Map<string, RollupCounts & { estateId: string; day: string; workflowKey: string; category: string; channel: string; grade: string }>;
  methods: Map<string, { estateId: string; day: string; workflowKey: string; method: string; count: number }>;
  /** settled clocks (met, breached); with a `now`, also the clocks running, paused and pending as of it */
  sla: Map<string, SlaCounts>;
}
export type SlaCounts = { estateId: string; day: string; workflowKey: string; policy: string; metricId: string } & Record<Exclude<FactClock['s'], 'stopped'>, number>;
const slaEntry = (estateId: string, day: string, workflowKey: string, policy: string, metricId: string): SlaCounts => ({ estateId, day, workflowKey, policy, metricId, met: 0, breached: 0, running: 0, paused: 0, pending: 0 });
export const emptyRollups = (): Rollups => ({ main: new Map(), methods: new Map(), sla: new Map() });
const zero = (): RollupCounts => ({ started: 0, finished: 0, revisited: 0, revisits: 0, onSite: 0, satisfied: 0, dissatisfied: 0, reworked: 0, reworks: 0, households: 0, returned: 0, tasks: 0, tasksClosed: 0, tasksOnTime: 0 });

/**
 * Adds `sign` × a fact to rollups: one request started (finished when done); a finished request's
 * revisits by method, on site and satisfaction; reworks; and with `now`, every SLA clock (as of
 * `now`), else only the settled ones (what the stored rollups hold).
 */
export function addFact(into: Rollups, f: Fact, sign: 1 | -1, now?: number): void {
  const k = JSON.stringify([f.estateId, f.day, f.workflowKey, f.category, f.channel, f.grade]);
  let row = into.main.get(k);
  if (!row) into.main.set(k, (row = { estateId: f.estateId, day: f.day, workflowKey: f.workflowKey, category: f.category, channel: f.channel, grade: f.grade, ...zero() }));
  const done = f.status === 'done';
  const revisits = Object.values(f.figures.methods).reduce((a, b) => a + b, 0);
  row.started += sign;
  row.reworked += f.figures.reworks > 0 ? sign : 0;
  row.reworks += sign * f.figures.reworks;
  row.households += sign * (f.figures.households ?? 0);
  row.returned += sign * (f.figures.returned ?? 0);
  row.tasks += sign * (f.figures.tasks?.all ?? 0);
  row.tasksClosed += sign * (f.figures.tasks?.closed ?? 0);
  row.tasksOnTime += sign * (f.figures.tasks?.onTime ?? 0);
  if (done) {
    row.finished += sign;
    row.revisited += revisits > 0 ? sign : 0;
    row.revisits += sign * revisits;
    row.satisfied += sign * f.figures.satisfied;
    row.dissatisfied += sign * f.figures.dissatisfied;
    for (const [method, n] of Object.entries(f.figures.methods)) {
      if (isOnSite(method)) row.onSite += sign * n;
      const mk = JSON.stringify([f.estateId, f.day, f.workflowKey, method]);
      const m = into.methods.get(mk) ?? { estateId: f.estateId, day: f.day, workflowKey: f.workflowKey, method, count: 0 };
      m.count += sign * n;
      into.methods.set(mk, m);
    }
  }
  for (const c of f.figures.clocks) {
    const s = now === undefined ? c.s : clockStatusAt(c, now);
    if ((now === undefined && !settled(s)) || s === 'stopped') continue;
    const sk = JSON.stringify([f.estateId, f.day, f.workflowKey, c.p, c.m]);
    const e = into.sla.get(sk) ?? slaEntry(f.estateId, f.day, f.workflowKey, c.p, c.m);
    e[s] += sign;
    into.sla.set(sk, e);
  }
}

/** Whether a fact holds a clock not yet settled (the report reads it as of now). */
export const hasOpenClocks = (f: Fact): boolean => f.figures.clocks.some((c) => !settled(c.s));

/** The instances re-read behind the last mark, so a write that committed after a later one is still seen (10 minutes). */
const MARK_LAG = '10 minutes';
/** One key for the rollup workers: one at a time keeps the rollups (a sum) free of lost updates. */
const LOCK_KEY = 0x52_4f_4c_4c; // 'ROLL'

type Changed = { tenant_id: string; estate_id: string; id: string; time_zone: string };

/**
 * One round of rollup upkeep: up to `batch` changed instances per estate (one statement finds them,
 * on `instances_updated_idx` per estate), their figures from history, the difference added to the
 * rollups, the facts and marks moved, in one transaction. Another worker's round in progress makes
 * this one a no-op. Answers how many instances were counted (fewer than `batch` when caught up).
 * With `sweep`, the marks are not looked at: every instance of the estates whose figures are not at
 * its version is found (the worker sweeps now and then, for a write whose update time was more than
 * the lag behind another's: a server clock set back).
 */
export async function refreshRollups(db: DbOrTx, opts: { now: Date; batch?: number; tenantId?: string; estateId?: string; sweep?: boolean }): Promise<number> {
  const batch = opts.batch ?? 200;
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${LOCK_KEY}) as ok`));
    if (!lock?.ok) return 0;
    const scope = sql.join([
      sql`true`,
      ...(opts.tenantId ? [sql`e.tenant_id = ${opts.tenantId}::uuid`] : []),
      ...(opts.estateId ? [sql`e.id = ${opts.estateId}::uuid`] : []),
    ], sql` and `);
    const changed = rowsOf<Changed>(await tx.execute(sql`
      select c.tenant_id, c.estate_id, c.id, e.time_zone
      from estates e
      left join rollup_marks m on m.tenant_id = e.tenant_id and m.estate_id = e.id
      cross join lateral (
        select i.tenant_id, i.estate_id, i.id, i.updated_at from instances i
        where i.tenant_id = e.tenant_id and i.estate_id = e.id
          and i.updated_at >= ${opts.sweep ? sql`'-infinity'::timestamptz` : sql`coalesce(m.updated_at - interval '${sql.raw(MARK_LAG)}', '-infinity'::timestamptz)`}
          and not exists (select 1 from report_facts f where f.tenant_id = i.tenant_id and f.instance_id = i.id and f.version = i.version)
        order by i.updated_at, i.id
        limit ${batch}) c
      where ${scope}`));
    if (changed.length === 0) return 0;
    const byTenant = new Map<string, Changed[]>();
    for (const c of changed) byTenant.set(c.tenant_id, [...(byTenant.get(c.tenant_id) ?? []), c]);
    const delta = emptyRollups();
    const facts: Fact[] = [];
    const inputs = new ClockInputCache(tx);
    for (const [tenantId, rows] of byTenant) {
      const ids = rows.map((r) => r.id);
      const zones = new Map(rows.map((r) => [r.id, r.time_zone]));
      const insts = await tx.select().from(instances).where(and(eq(instances.tenantId, tenantId), sql`${instances.id} = any(${uuidArray(ids)})`));
      const histories = await historiesOf(tx, tenantId, ids, insts.length ? earliestStart(insts) : undefined);
      const taskCounts = await taskCountsOf(tx, tenantId, ids);
      const old = await tx.select().from(reportFacts).where(and(eq(reportFacts.tenantId, tenantId), sql`${reportFacts.instanceId} = any(${uuidArray(ids)})`));
      for (const o of old) addFact(delta, storedFact(o), -1);
      for (const inst of insts) {
        const history = histories.get(inst.id) ?? [];
        const given = await inputs.of(inst);
        const clocks = given ? clocksFromHistory(inst, history, given, opts.now).clocks : [];
        const f = factOf(inst, history, clocks, zones.get(inst.id) ?? 'Asia/Shanghai', taskCounts.get(inst.id));
        facts.push(f);
        addFact(delta, f, 1);
      }
    }
    await applyDelta(tx, delta);
    // the facts, in one statement
    await tx.execute(sql`
      insert into report_facts (tenant_id, instance_id, estate_id, version, started_at, day, workflow_key, category, channel, grade, status, figures, open_clocks)
      select * from jsonb_to_recordset(${JSON.stringify(facts.map((f) => ({
        tenant_id: f.tenantId, instance_id: f.instanceId, estate_id: f.estateId, version: f.version, started_at: f.startedAt.toISOString(), day: f.day, workflow_key: f.workflowKey,
        category: f.category, channel: f.channel, grade: f.grade, status: f.status, figures: f.figures, open_clocks: hasOpenClocks(f),
      })))}::jsonb) as x(tenant_id uuid, instance_id uuid, estate_id uuid, version int, started_at timestamptz, day date, workflow_key text, category text, channel text, grade text, status text, figures jsonb, open_clocks boolean)
      on conflict (tenant_id, instance_id) do update set estate_id = excluded.estate_id, version = excluded.version, started_at = excluded.started_at, day = excluded.day,
        workflow_key = excluded.workflow_key, category = excluded.category, channel = excluded.channel, grade = excluded.grade, status = excluded.status,
        figures = excluded.figures, open_clocks = excluded.open_clocks`);
    // each estate's mark moves to the last instance read there
    await tx.execute(sql`
      insert into rollup_marks (tenant_id, estate_id, updated_at, instance_id)
      select distinct on (i.tenant_id, i.estate_id) i.tenant_id, i.estate_id, i.updated_at, i.id from instances i
      where (i.tenant_id, i.id) in (select t, x from unnest(${uuidArray(changed.map((c) => c.tenant_id))}, ${uuidArray(changed.map((c) => c.id))}) as u(t, x))
      order by i.tenant_id, i.estate_id, i.updated_at desc, i.id desc
      on conflict (tenant_id, estate_id) do update set updated_at = greatest(rollup_marks.updated_at, excluded.updated_at),
        instance_id = case when excluded.updated_at >= rollup_marks.updated_at then excluded.instance_id else rollup_marks.instance_id end`);
    return changed.length;
  });
}

/**
 * Marks the figures of an estate's workflows as to be recounted (a published SLA policy or calendar
 * changes how their clocks read): the worker's next sweep counts them again and moves the rollups by the difference.
 */
export async function recountRollups(tx: DbOrTx, tenantId: string, estateId: string, workflows: readonly string[]): Promise<void> {
  if (workflows.length === 0) return;
  await tx.execute(sql`update report_facts set version = -1 where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid and workflow_key in ${workflows}`);
}

/** A stored fact row as a Fact. */
export function storedFact(o: typeof reportFacts.$inferSelect): Fact {
  return { tenantId: o.tenantId, instanceId: o.instanceId, estateId: o.estateId, version: o.version, startedAt: o.startedAt, day: o.day, workflowKey: o.workflowKey,
    category: o.category, channel: o.channel, grade: o.grade, status: o.status, figures: o.figures as Fact['figures'] };
}

/** Adds a difference to the stored rollups (one statement per table). */
async function applyDelta(tx: DbOrTx, d: Rollups): Promise<void> {
  const main = [...d.main.values()].filter((r) => Object.values(zeroless(r)).some((v) => v !== 0));
  if (main.length) {
    await tx.execute(sql`
      insert into report_rollups (tenant_id, estate_id, day, workflow_key, category, channel, grade, started, finished, revisited, revisits, on_site, satisfied, dissatisfied, reworked, reworks, households, returned, tasks, tasks_closed, tasks_on_time)
      select e.tenant_id, x.* from jsonb_to_recordset(${JSON.stringify(main.map((r) => [r.estateId, r.day, r.workflowKey, r.category, r.channel, r.grade, r.started, r.finished, r.revisited, r.revisits, r.onSite, r.satisfied, r.dissatisfied, r.reworked, r.reworks, r.households, r.returned, r.tasks, r.tasksClosed, r.tasksOnTime]).map(toRecord(['estate_id', 'day', 'workflow_key', 'category', 'channel', 'grade', 'started', 'finished', 'revisited', 'revisits', 'on_site', 'satisfied', 'dissatisfied', 'reworked', 'reworks', 'households', 'returned', 'tasks', 'tasks_closed', 'tasks_on_time'])))}::jsonb)
        as x(estate_id uuid, day date, workflow_key text, category text, channel text, grade text, started int, finished int, revisited int, revisits int, on_site int, satisfied int, dissatisfied int, reworked int, reworks int, households int, returned int, tasks int, tasks_closed int, tasks_on_time int)
      join estates e on e.id = x.estate_id
      on conflict (tenant_id, estate_id, day, workflow_key, category, channel, grade) do update set
        started = report_rollups.started + excluded.started, finished = report_rollups.finished + excluded.finished,
        revisited = report_rollups.revisited + excluded.revisited, revisits = report_rollups.revisits + excluded.revisits,
        on_site = report_rollups.on_site + excluded.on_site, satisfied = report_rollups.satisfied + excluded.satisfied,
        dissatisfied = report_rollups.dissatisfied + excluded.dissatisfied, reworked = report_rollups.reworked + excluded.reworked,
        reworks = report_rollups.reworks + excluded.reworks, households = report_rollups.households + excluded.households, returned = report_rollups.returned + excluded.returned,
        tasks = report_rollups.tasks + excluded.tasks, tasks_closed = report_rollups.tasks_closed + excluded.tasks_closed, tasks_on_time = report_rollups.tasks_on_time + excluded.tasks_on_time`);
  }
  const methods = [...d.methods.values()].filter((m) => m.count !== 0);
  if (methods.length) {
    await tx.execute(sql`
      insert into report_revisit_rollups (tenant_id, estate_id, day, workflow_key, method, count)
      select e.tenant_id, x.* from jsonb_to_recordset(${JSON.stringify(methods.map((m) => ({ estate_id: m.estateId, day: m.day, workflow_key: m.workflowKey, method: m.method, count: m.count })))}::jsonb)
        as x(estate_id uuid, day date, workflow_key text, method text, count int)
      join estates e on e.id = x.estate_id
      on conflict (tenant_id, estate_id, day, workflow_key, method) do update set count = report_revisit_rollups.count + excluded.count`);
  }
  const sla_ = [...d.sla.values()].filter((s) => s.met !== 0 || s.breached !== 0);
  if (sla_.length) {
    await tx.execute(sql`
      insert into report_sla_rollups (tenant_id, estate_id, day, workflow_key, policy, metric_id, met, breached)
      select e.tenant_id, x.* from jsonb_to_recordset(${JSON.stringify(sla_.map((s) => ({ estate_id: s.estateId, day: s.day, workflow_key: s.workflowKey, policy: s.policy, metric_id: s.metricId, met: s.met, breached: s.breached })))}::jsonb)
        as x(estate_id uuid, day date, workflow_key text, policy text, metric_id text, met int, breached int)
      join estates e on e.id = x.estate_id
      on conflict (tenant_id, estate_id, day, workflow_key, policy, metric_id) do update set
        met = report_sla_rollups.met + excluded.met, breached = report_sla_rollups.breached + excluded.breached`);
  }
}

const zeroless = (r: RollupCounts): RollupCounts => ({ started: r.started, finished: r.finished, revisited: r.revisited, revisits: r.revisits, onSite: r.onSite, satisfied: r.satisfied, dissatisfied: r.dissatisfied, reworked: r.reworked, reworks: r.reworks, households: r.households, returned: r.returned, tasks: r.tasks, tasksClosed: r.tasksClosed, tasksOnTime: r.tasksOnTime });
const toRecord = (names: string[]) => (values: unknown[]) => Object.fromEntries(names.map((n, i) => [n, values[i]]));

/**
 * Rebuilds the rollups of a tenant or estate (or every one) from history: its facts, rollups and
 * marks removed, then `refreshRollups` until every instance is counted. Answers the instances counted.
 */
export async function recomputeRollups(db: DbOrTx, opts: { now: Date; tenantId?: string; estateId?: string; batch?: number; log?: (n: number) => void }): Promise<number> {
  const where = (t: string) => sql.join([sql`true`, ...(opts.tenantId ? [sql`${sql.raw(t)}.tenant_id = ${opts.tenantId}::uuid`] : []), ...(opts.estateId ? [sql`${sql.raw(t)}.estate_id = ${opts.estateId}::uuid`] : [])], sql` and `);
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
    for (const table of ['report_facts', 'report_rollups', 'report_revisit_rollups', 'report_sla_rollups', 'rollup_marks']) {
      await tx.execute(sql`delete from ${sql.raw(table)} r where ${where('r')}`);
    }
  });
  let total = 0;
  for (;;) {
    const n = await refreshRollups(db, { ...opts, batch: opts.batch ?? 500 });
    total += n;
    opts.log?.(total);
    if (n === 0) {
      // caught up, unless another worker held the lock this round: look once more, over the same
      // requests a refresh reads (those of an estate), or an orphan row would keep this looping
      const [left] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from instances i
        join estates e on e.tenant_id = i.tenant_id and e.id = i.estate_id
        where ${where('i')}
        and not exists (select 1 from report_facts f where f.tenant_id = i.tenant_id and f.instance_id = i.id and f.version = i.version)`));
      if (!left || left.n === 0) return total;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The estates' time zone (rollup days are local days). */
export async function estateTimeZone(db: DbOrTx, tenantId: string, estateId: string): Promise<string> {
  const [e] = await db.select({ tz: estates.timeZone }).from(estates).where(and(eq(estates.tenantId, tenantId), eq(estates.id, estateId)));
  return e?.tz ?? 'Asia/Shanghai';
}

/**
 * The rollups of an estate over [from, to): the whole local days inside it from the stored rollups,
 * the partial first and last day from the facts of those hours, and every clock not yet settled
 * from the facts that hold one, as of `now`. Exactly what adding up every instance started in the range would give.
 */
export async function rollupsOver(db: DbOrTx, tenantId: string, estateId: string, from: Date, to: Date, now: Date): Promise<Rollups> {
  const tz = await estateTimeZone(db, tenantId, estateId);
  const out = emptyRollups();
  const clampDay = (d: Date) => localDay(new Date(Math.min(Math.max(d.getTime(), Date.parse('1900-01-01T00:00:00Z')), Date.parse('9000-01-01T00:00:00Z'))), tz);
  let firstFull = clampDay(from);
  if (dayStart(firstFull, tz).getTime() < from.getTime()) firstFull = addDays(firstFull, 1);
  const lastEnd = clampDay(to); // the first day not wholly inside
  const whole = firstFull < lastEnd;
  const fullFrom = whole ? dayStart(firstFull, tz) : to;
  const fullTo = whole ? dayStart(lastEnd, tz) : to;
  if (whole) {
    const r = rowsOf<{ day: string; workflow_key: string; category: string; channel: string; grade: string } & Record<string, number | string>>(await db.execute(sql`
      select workflow_key, category, channel, grade, '' as day, sum(started)::int as started, sum(finished)::int as finished, sum(revisited)::int as revisited,
        sum(revisits)::int as revisits, sum(on_site)::int as "onSite", sum(satisfied)::int as satisfied, sum(dissatisfied)::int as dissatisfied,
        sum(reworked)::int as reworked, sum(reworks)::int as reworks, sum(households)::int as households, sum(returned)::int as returned,
        sum(tasks)::int as tasks, sum(tasks_closed)::int as "tasksClosed", sum(tasks_on_time)::int as "tasksOnTime"
      from report_rollups where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid and day >= ${firstFull}::date and day < ${lastEnd}::date
      group by workflow_key, category, channel, grade`));
    for (const x of r) {
      out.main.set(JSON.stringify([estateId, '', x.workflow_key, x.category, x.channel, x.grade]), {
        estateId, day: '', workflowKey: x.workflow_key, category: x.category, channel: x.channel, grade: x.grade,
        started: Number(x.started), finished: Number(x.finished), revisited: Number(x.revisited), revisits: Number(x.revisits), onSite: Number(x.onSite),
        satisfied: Number(x.satisfied), dissatisfied: Number(x.dissatisfied), reworked: Number(x.reworked), reworks: Number(x.reworks),
        households: Number(x.households), returned: Number(x.returned), tasks: Number(x.tasks), tasksClosed: Number(x.tasksClosed), tasksOnTime: Number(x.tasksOnTime),
      });
    }
    const m = rowsOf<{ workflow_key: string; method: string; count: number }>(await db.execute(sql`
      select workflow_key, method, sum(count)::int as count from report_revisit_rollups
      where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid and day >= ${firstFull}::date and day < ${lastEnd}::date group by workflow_key, method`));
    for (const x of m) out.methods.set(JSON.stringify([estateId, '', x.workflow_key, x.method]), { estateId, day: '', workflowKey: x.workflow_key, method: x.method, count: Number(x.count) });
    const s = rowsOf<{ workflow_key: string; policy: string; metric_id: string; met: number; breached: number }>(await db.execute(sql`
      select workflow_key, policy, metric_id, sum(met)::int as met, sum(breached)::int as breached from report_sla_rollups
      where tenant_id = ${tenantId}::uuid and estate_id = ${estateId}::uuid and day >= ${firstFull}::date and day < ${lastEnd}::date group by workflow_key, policy, metric_id`));
    for (const x of s) out.sla.set(JSON.stringify([estateId, '', x.workflow_key, x.policy, x.metric_id]), { ...slaEntry(estateId, '', x.workflow_key, x.policy, x.metric_id), met: Number(x.met), breached: Number(x.breached) });
  }
  const asOf = now.getTime();
  // the partial days at either end: every fact of those hours, clocks as of now
  const edges = await db.select().from(reportFacts).where(and(eq(reportFacts.tenantId, tenantId), eq(reportFacts.estateId, estateId),
    sql`((${reportFacts.startedAt} >= ${from.toISOString()}::timestamptz and ${reportFacts.startedAt} < ${fullFrom.toISOString()}::timestamptz)
      or (${reportFacts.startedAt} >= ${fullTo.toISOString()}::timestamptz and ${reportFacts.startedAt} < ${to.toISOString()}::timestamptz))`));
  for (const f of edges) addFact(out, { ...storedFact(f), day: '' }, 1, asOf);
  // the whole days' clocks not yet settled (the stored rollups hold the settled ones)
  if (whole) {
    // counted in SQL (a few rows back, however many requests are open), as `clockStatusAt` reads a clock
    const open = rowsOf<{ workflow_key: string; p: string; m: string; s: Exclude<FactClock['s'], 'stopped'>; n: number }>(await db.execute(sql`
      select f.workflow_key, c->>'p' as p, c->>'m' as m,
        case when c->>'s' = 'running' and jsonb_typeof(c->'due') = 'number' and (c->>'due')::bigint <= ${asOf}::bigint then 'breached' else c->>'s' end as s, count(*)::int as n
      from report_facts f cross join lateral jsonb_array_elements(f.figures->'clocks') c
      where f.tenant_id = ${tenantId}::uuid and f.estate_id = ${estateId}::uuid and f.open_clocks
        and f.started_at >= ${fullFrom.toISOString()}::timestamptz and f.started_at < ${fullTo.toISOString()}::timestamptz
        and c->>'s' not in ('met', 'breached', 'stopped')
      group by 1, 2, 3, 4`));
    for (const x of open) {
      const sk = JSON.stringify([estateId, '', x.workflow_key, x.p, x.m]);
      const e = out.sla.get(sk) ?? slaEntry(estateId, '', x.workflow_key, x.p, x.m);
      e[x.s] += Number(x.n);
      out.sla.set(sk, e);
    }
  }
  return out;
}

/** The survey return rate asked for (SV-1: at least 80 % of households; the survey bundle's `minCoveragePercent` default). */
export const SURVEY_RETURN_TARGET = 0.8;

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const orNull = (v: string): string | null => (v === '' ? null : v);
const byName = <T extends { workflow: string }>(rows: T[]): T[] => rows.sort((a, b) => a.workflow.localeCompare(b.workflow));

/**
 * A month's statistics (客户服务信息统计分析汇总表; PS-8, PS-9, RP-5, SV-1, SV-5), every figure from
 * the rollups of the requests started in that month (`YYYY-MM`, the estate's local time): what the
 * monthly statistics workflow reviews, comments on and signs instead of typing.
 */
export async function monthlyStatistics(db: DbOrTx, tenantId: string, estateId: string, month: string, now: Date) {
  const tz = await estateTimeZone(db, tenantId, estateId);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  const from = dayStart(`${month}-01`, tz);
  const to = dayStart(`${next}-01`, tz);
  const r = await rollupsOver(db, tenantId, estateId, from, to, now);
  const sum = <K extends string>(key: (x: Rollups['main'] extends Map<string, infer V> ? V : never) => K) => {
    const out = new Map<K, RollupCounts>();
    for (const x of r.main.values()) {
      const k = key(x);
      const e = out.get(k) ?? zero();
      for (const f of Object.keys(e) as (keyof RollupCounts)[]) e[f] += x[f];
      out.set(k, e);
    }
    return out;
  };
  const split = (k: string) => JSON.parse(k) as string[];
  const perWorkflow = sum((x) => x.workflowKey);
  const surveys = [...perWorkflow.values()].reduce((a, e) => ({ households: a.households + e.households, returned: a.returned + e.returned }), { households: 0, returned: 0 });
  const returnRate = ratio(surveys.returned, surveys.households);
  return {
    estateId, month, from: from.toISOString(), to: to.toISOString(),
    requests: byName([...perWorkflow].map(([workflow, e]) => ({ workflow, started: e.started, finished: e.finished }))),
    byCategory: [...sum((x) => JSON.stringify([x.workflowKey, x.category]))].filter(([, e]) => e.started > 0)
      .map(([k, e]) => ({ workflow: split(k)[0]!, category: orNull(split(k)[1]!), count: e.started })).sort((a, b) => `${a.workflow}/${a.category}`.localeCompare(`${b.workflow}/${b.category}`)),
    byChannel: [...sum((x) => JSON.stringify([x.workflowKey, x.channel]))].filter(([, e]) => e.started > 0)
      .map(([k, e]) => ({ workflow: split(k)[0]!, channel: orNull(split(k)[1]!), count: e.started })).sort((a, b) => `${a.workflow}/${a.channel}`.localeCompare(`${b.workflow}/${b.channel}`)),
    onTime: [...r.sla.values()].filter((e) => e.met + e.breached > 0)
      .map((e) => ({ workflow: e.workflowKey, policy: e.policy, metricId: e.metricId, met: e.met, breached: e.breached, rate: ratio(e.met, e.met + e.breached) }))
      .sort((a, b) => `${a.workflow}/${a.policy}/${a.metricId}`.localeCompare(`${b.workflow}/${b.policy}/${b.metricId}`)),
    revisits: byName([...perWorkflow].filter(([, e]) => e.revisits > 0 || e.revisited > 0).map(([workflow, e]) => ({
      workflow, finished: e.finished, revisited: e.revisited, coverage: ratio(e.revisited, e.finished), revisits: e.revisits, onSite: e.onSite, onSiteShare: ratio(e.onSite, e.revisits),
      satisfied: e.satisfied, dissatisfied: e.dissatisfied, satisfaction: ratio(e.satisfied, e.satisfied + e.dissatisfied),
    }))),
    rework: byName([...perWorkflow].filter(([, e]) => e.reworked > 0).map(([workflow, e]) => ({ workflow, started: e.started, reworked: e.reworked, reworks: e.reworks, rate: ratio(e.reworked, e.started) }))),
    complaints: [...sum((x) => (x.workflowKey === 'complaint' ? x.grade : '\u0000'))].filter(([k, e]) => k !== '\u0000' && e.started > 0)
      .map(([grade, e]) => ({ grade: orNull(grade), count: e.started })).sort((a, b) => String(a.grade).localeCompare(String(b.grade))),
    surveys: { ...surveys, returnRate, target: SURVEY_RETURN_TARGET, met: returnRate === null ? null : returnRate >= SURVEY_RETURN_TARGET },
  };
}
