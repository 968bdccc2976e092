import { and, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { instances, noticesSince, residentLinkActive, residents, tasks } from '@estateflow/db';
import { authOf, everyone, managers, queriedEstates, requireEstate, Resource } from '../route-table.ts';
import type { Auth } from '../env.ts';
import { decodeCursor, encodeCursor, pageSize } from '../services/keyset.ts';
import { accountabilityOf } from '../services/accountability.ts';
import { isOnSite, monthlyStatistics, ON_SITE_METHODS, REVISIT_EVENT, REVISIT_METHOD_FIELD, rollupsOver, type Rollups } from '../services/rollups.ts';
import { jsonValue, rowsOf } from '../store/index.ts';
import { peopleNamed } from '../services/people-named.ts';
import { maskValue } from '../services/personal-data.ts';
import { accessibleInstances, aliasedInstanceColumns } from '../services/instance-access.ts';
import * as S from '../schemas/reports.ts';
import { asItems, DEFECT_LIST, defectStatistics, itemWords, type ItemWords } from '../services/item-lists.ts';
import { estateTimeZone } from '../services/billing-store.ts';
import { estateDate } from '@estateflow/billing';
import { formsOf, type Form, type Workflow } from '@estateflow/definitions';
import { yearMonth } from '../schemas/common.ts';

const reportQuery = { estateId: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } };
const readers = [...managers, 'dispatcher', 'consultant'] as const;
/** Notices per page: 50 by default, at most 200 (not in the field documents: a screen's worth). */
const NOTICE_PAGE = 50;
const NOTICE_PAGE_MAX = 200;

export { ON_SITE_METHODS, REVISIT_EVENT, REVISIT_METHOD_FIELD } from '../services/rollups.ts';

/** Requests by a dimension and status (`active`, `done`), from rollups: those with a count only. */
function statusCounts<T extends object>(r: Rollups, by: (x: Rollups['main'] extends Map<string, infer V> ? V : never) => string, label: (k: string) => T): (T & { status: string; count: number })[] {
  const counts = new Map<string, { started: number; finished: number }>();
  for (const x of r.main.values()) {
    const k = by(x);
    const e = counts.get(k) ?? { started: 0, finished: 0 };
    e.started += x.started;
    e.finished += x.finished;
    counts.set(k, e);
  }
  const out: (T & { status: string; count: number })[] = [];
  for (const [k, e] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (e.started - e.finished > 0) out.push({ ...label(k), status: 'active', count: e.started - e.finished });
    if (e.finished > 0) out.push({ ...label(k), status: 'done', count: e.finished });
  }
  return out;
}

function period(q: Record<string, string>) {
  const from = q.from ? new Date(q.from) : new Date(0);
  const to = q.to ? new Date(q.to) : new Date('9999-01-01T00:00:00Z');
  return { from: Number.isNaN(from.getTime()) ? new Date(0) : from, to: Number.isNaN(to.getTime()) ? new Date('9999-01-01T00:00:00Z') : to };
}

export const reportRoutes = new Resource('/reports', 'Reports')
  .get('/summary', { responses: { 200: S.summary }, summary: 'Instances by workflow and status, complaints by grade and status, task due compliance (CP-9, PS-9, RP-5)', access: readers, estate: { from: 'query' }, query: reportQuery }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const { tenantId } = authOf(c);
    const { from, to } = period(q);
    const { reportDb: db } = c.get('deps');
    const scope = and(eq(instances.tenantId, tenantId), accessibleInstances(authOf(c), [q.estateId!]), gte(instances.startedAt, from), lt(instances.startedAt, to));
    // requests by workflow and status, complaints by grade and status: from the rollups (services/rollups.ts)
    const r = await rollupsOver(db, tenantId, q.estateId!, from, to, c.get('deps').config.now());
    const byWorkflow = statusCounts(r, (x) => x.workflowKey, (workflow) => ({ workflow }));
    const complaints = statusCounts({ ...r, main: new Map([...r.main].filter(([, x]) => x.workflowKey === 'complaint')) }, (x) => x.grade, (grade) => ({ grade: grade === '' ? null : grade }));
    // task due compliance: tasks done and done on time from the rollups (each request's tasks, counted by the worker);
    // open tasks past due change with the time alone, so they are counted as of now from the estate's open tasks,
    // a range of tasks_due_idx (a few hundred rows, not every task the estate ever had: #21)
    const overdue = await db.select({ workflow: instances.workflowKey, n: sql<number>`count(*)::int` })
      .from(tasks).innerJoin(instances, and(eq(instances.tenantId, tasks.tenantId), eq(instances.id, tasks.instanceId)))
      .where(and(scope, eq(tasks.tenantId, tenantId), eq(tasks.estateId, q.estateId!), eq(tasks.status, 'open'), sql`coalesce(${tasks.dueAt}, 'infinity'::timestamptz) < now()`))
      .groupBy(instances.workflowKey);
    const due = new Map<string, { workflow: string; closed: number; closedOnTime: number; openOverdue: number; tasks: number }>();
    const entry = (workflow: string) => due.get(workflow) ?? due.set(workflow, { workflow, closed: 0, closedOnTime: 0, openOverdue: 0, tasks: 0 }).get(workflow)!;
    for (const x of r.main.values()) {
      const e = entry(x.workflowKey);
      e.tasks += x.tasks;
      e.closed += x.tasksClosed;
      e.closedOnTime += x.tasksOnTime;
    }
    for (const o of overdue) entry(o.workflow).openOverdue = o.n;
    const taskDue = [...due.values()].filter((e) => e.tasks > 0 || e.openOverdue > 0).sort((a, b) => a.workflow.localeCompare(b.workflow))
      .map(({ workflow, closed, closedOnTime, openOverdue }) => ({ workflow, closed, closedOnTime, openOverdue }));
    return c.json({ estateId: q.estateId, from: from.toISOString(), to: to.toISOString(), byWorkflow, complaints, taskDue });
  })
  .get('/sla', { responses: { 200: S.slaReport }, summary: 'SLA compliance by workflow and metric (met, breached, running) from each instance history', access: readers, estate: { from: 'query' }, query: reportQuery }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const { tenantId } = authOf(c);
    const { from, to } = period(q);
    const { reportDb: db, config } = c.get('deps');
    // settled clocks from the rollups, the clocks still open as of now from their facts (services/rollups.ts)
    const r = await rollupsOver(db, tenantId, q.estateId!, from, to, config.now());
    const count = [...r.main.values()].reduce((n, x) => n + x.started, 0);
    const table = new Map([...r.sla.values()].filter((e) => e.met + e.breached + e.running + e.paused + e.pending > 0)
      .map((e) => [`${e.workflowKey}/${e.policy}/${e.metricId}`, { workflow: e.workflowKey, policy: e.policy, metricId: e.metricId, met: e.met, breached: e.breached, running: e.running, paused: e.paused, pending: e.pending }]));
    const items = [...table.values()].map((e) => ({ ...e, compliance: e.met + e.breached > 0 ? e.met / (e.met + e.breached) : null }));
    return c.json({ estateId: q.estateId, instances: count, items });
  })
  .get('/monthly', {
    responses: { 200: S.monthlyStatistics },
    summary: "A month's statistics (客户服务信息统计分析汇总表; PS-8, PS-9, RP-5, SV-1, SV-5) computed from the report rollups: requests by workflow, category and channel, on-time rates per SLA metric, revisit coverage, on-site share and satisfaction, rework, complaint grades, survey return rate against the 80 % target. `month` is YYYY-MM in the estate's time zone",
    access: readers, estate: { from: 'query' }, query: { estateId: { type: 'string' }, month: yearMonth }, queryRequired: ['estateId', 'month'],
  }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const { tenantId } = authOf(c);
    const { reportDb: db, config } = c.get('deps');
    return c.json(await monthlyStatistics(db, tenantId, q.estateId!, q.month!, config.now()));
  })
  .get('/accountability', {
    responses: { 200: S.accountabilityReport },
    summary: "A month's accountability records per person (CP-9: who was responsible for a complaint handled late, upheld or handled carelessly): every `RECORD_ACCOUNTABILITY` event of the estate's requests recorded in that month (`YYYY-MM`, the estate's time zone), grouped by the person it names, with the counts by reason and each record",
    access: managers, estate: { from: 'query' }, query: { estateId: { type: 'string' }, month: yearMonth }, queryRequired: ['estateId', 'month'],
  }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const { tenantId } = authOf(c);
    const { reportDb: db } = c.get('deps');
    return c.json(await accountabilityOf(db, tenantId, q.estateId!, q.month!));
  })
  .get('/revisits', { responses: { 200: S.revisitReport }, summary: 'Revisit rate of ended instances and the on-site share of revisits: a REVISIT event whose form field `method` is "onsite" (paid service, repair) or "visit" (complaint, difficult-owner revisit) (PS-8: ≥ 5 % on site; RP-4, CP-7: 100 %)', access: readers, estate: { from: 'query' }, query: reportQuery }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const { tenantId } = authOf(c);
    const { from, to } = period(q);
    const { reportDb: db } = c.get('deps');
    // finished requests, revisited ones and revisits by method: from the rollups (services/rollups.ts)
    const r = await rollupsOver(db, tenantId, q.estateId!, from, to, c.get('deps').config.now());
    const ended = new Map<string, { workflow: string; ended: number; revisited: number }>();
    for (const x of r.main.values()) {
      if (x.finished === 0) continue;
      const w = ended.get(x.workflowKey) ?? { workflow: x.workflowKey, ended: 0, revisited: 0 };
      w.ended += x.finished;
      w.revisited += x.revisited;
      ended.set(x.workflowKey, w);
    }
    const endedRows = [...ended.values()];
    const methodRows = [...r.methods.values()].filter((m) => m.count !== 0).map((m) => ({ workflow: m.workflowKey, method: m.method === 'none' ? null : m.method, count: m.count }));
    const byWorkflow = new Map<string, { workflow: string; ended: number; revisited: number; revisits: number; onSite: number }>();
    for (const r of endedRows) byWorkflow.set(r.workflow, { workflow: r.workflow, ended: r.ended, revisited: r.revisited, revisits: 0, onSite: 0 });
    const byMethod: Record<string, number> = {};
    let onSite = 0;
    let revisitCount = 0;
    for (const r of methodRows) {
      const method = r.method ?? 'none';
      byMethod[method] = (byMethod[method] ?? 0) + r.count;
      revisitCount += r.count;
      const w = byWorkflow.get(r.workflow)!;
      w.revisits += r.count;
      if (isOnSite(r.method)) {
        onSite += r.count;
        w.onSite += r.count;
      }
    }
    const endedCount = endedRows.reduce((n, r) => n + r.ended, 0);
    const revisitedCount = endedRows.reduce((n, r) => n + r.revisited, 0);
    return c.json({
      estateId: q.estateId,
      ended: endedCount,
      revisited: revisitedCount,
      revisitRate: endedCount ? revisitedCount / endedCount : null,
      revisits: revisitCount,
      onSite,
      onSiteShare: revisitCount ? onSite / revisitCount : null,
      onSiteRule: { event: REVISIT_EVENT, field: REVISIT_METHOD_FIELD, values: [...ON_SITE_METHODS] },
      byMethod,
      byWorkflow: [...byWorkflow.values()].map((w) => ({ ...w, onSiteShare: w.revisits ? w.onSite / w.revisits : null })),
    });
  })
  .get('/defects', {
    responses: { 200: S.defectStatistics },
    summary: "The 物业工程遗留问题统计表 (MI-3, MI-5) computed from the defect items of the estate's requests (a move-in inspection's `defectItems`), or of one unit (`unitId`) or one request (`instanceId`): items by state, category and responsible party, each with those still open and those open past their fix-by date on the estate's today. Only requests the caller may see are counted",
    access: everyone, estate: { from: 'query' },
    query: { estateId: { type: 'string' }, unitId: { type: 'string', format: 'uuid' }, instanceId: { type: 'string', format: 'uuid' } }, queryRequired: ['estateId'],
  }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const auth = authOf(c);
    const { db, cache, config } = c.get('deps');
    const list = sql`${instances.snapshot}->'context'->'data'->${DEFECT_LIST}`;
    const conds = [eq(instances.tenantId, auth.tenantId), eq(instances.estateId, q.estateId!), accessibleInstances(auth, [q.estateId!]), sql`jsonb_typeof(${list}) = 'array'`];
    if (q.unitId) conds.push(eq(instances.unitId, q.unitId));
    if (q.instanceId) conds.push(eq(instances.id, q.instanceId));
    const rows = await db.select({ versionId: instances.definitionVersionId, items: sql<unknown>`${list}` }).from(instances).where(and(...conds));
    const words = new Map<string, ItemWords>();
    for (const versionId of new Set(rows.map((r) => r.versionId))) {
      const pinned = await cache.get(db, auth.tenantId, versionId);
      // the request's own workflow's forms: the estate's other processes may name a list the same (move-in and handover both keep `defectItems`)
      words.set(versionId, itemWords(formsOf(pinned.compiled.definition as unknown as Workflow, pinned.compiled.formDefinitions as unknown as ReadonlyMap<string, Form>), DEFECT_LIST));
    }
    const today = estateDate(config.now(), await estateTimeZone(db, auth.tenantId, q.estateId!));
    return c.json({ estateId: q.estateId, ...defectStatistics(rows.map((r) => ({ items: asItems(r.items), words: words.get(r.versionId)! })), today) });
  });

/**
 * The notices that may be the caller's, newest first, `n` of each kind, each found on its own index
 * so that a page costs the same in a quiet company and one with millions of notices:
 * - those naming the caller as the user (outbox_notices_user_idx);
 * - as staff, those sent to their role (outbox_notices_role_idx) or escalated to a list of roles
 *   holding it (outbox_notices_roles0/1/2_idx, by position; longer lists on outbox_notices_roles_long_idx),
 *   in the estates where they hold that role;
 * - as a resident, those about the requests they may see (outbox_notices_instance_idx, per request)
 *   and the estate's public ones, to every resident of the estate or of a building
 *   (outbox_notices_public_idx).
 * A superset of what the notices rule shows the caller; the rule itself filters it.
 */
function noticeCandidates(auth: Auth, byRole: ReadonlyMap<string, readonly string[]>, n: number, after: SQL): SQL {
  const t = auth.tenantId;
  const all = [...byRole.values()].flat();
  const branches: SQL[] = [sql`(select o.id, o.created_at from outbox o
      where o.tenant_id = ${t}::uuid and (payload->'to'->>'user') = ${auth.userId} and o.kind in ('notify', 'escalate') and payload->'to'->>'user' is not null
        and o.estate_id in ${all}${after}
      order by o.created_at desc, o.id desc limit ${n})`];
  for (const [role, estates] of byRole) {
    if (role === 'resident') {
      branches.push(sql`(select c.id, c.created_at from instances cross join lateral (
          select o.id, o.created_at from outbox o
          where o.tenant_id = instances.tenant_id and o.instance_id = instances.id and o.kind in ('notify', 'escalate') and o.instance_id is not null${after}
          order by o.created_at desc, o.id desc limit ${n}) c
        where instances.tenant_id = ${t}::uuid and ${accessibleInstances(auth, estates)})`);
      branches.push(sql`(select o.id, o.created_at from outbox o
          where o.tenant_id = ${t}::uuid and o.estate_id in ${estates} and o.kind in ('notify', 'escalate')
            and (payload->'to'->>'residents' is not null or instance_id is null)${after}
          order by o.created_at desc, o.id desc limit ${n})`);
    } else {
      branches.push(sql`(select o.id, o.created_at from outbox o
          where o.tenant_id = ${t}::uuid and (payload->'to'->>'role') = ${role} and o.kind in ('notify', 'escalate') and payload->'to'->>'role' is not null
            and o.estate_id in ${estates}${after}
          order by o.created_at desc, o.id desc limit ${n})`);
      for (const i of [0, 1, 2]) {
        const at = sql.raw(`(payload->'roles'->>${i})`);
        branches.push(sql`(select o.id, o.created_at from outbox o
            where o.tenant_id = ${t}::uuid and ${at} = ${role} and o.kind in ('notify', 'escalate') and ${at} is not null
              and o.estate_id in ${estates}${after}
            order by o.created_at desc, o.id desc limit ${n})`);
      }
      branches.push(sql`(select o.id, o.created_at from outbox o
          where o.tenant_id = ${t}::uuid and o.kind in ('notify', 'escalate') and payload ? 'roles'
            and case when jsonb_typeof(payload->'roles') = 'array' then jsonb_array_length(payload->'roles') > 3 else true end
            and o.estate_id in ${estates}${after}
          order by o.created_at desc, o.id desc limit ${n})`);
    }
  }
  return sql.join(branches, sql` union all `);
}

/**
 * In-app notices delivered by the worker (notify and escalate effects, SLA warnings, breaches and
 * rungs), newest first, as the caller is addressed in the estate: by role, as the user, and for a
 * resident also as the request's resident (`to.resident`: whoever may see the request, by the one
 * access rule of services/instance-access.ts) and by public notice (`to.residents`: every resident of the estate, or of the
 * request unit's building). Chosen in SQL, so an estate's busy outbox never hides a caller's own.
 */
export const noticeRoutes = new Resource('/notices', 'Notices').get(
  '/',
  {
    responses: { 200: S.noticeList },
    summary: "Notices for the caller (role, user, and a resident's own requests, building and estate) in one estate, or without `estateId` in every estate they belong to, newest first, a page at a time (`limit` ≤ 200, default 50; `nextCursor` back as `cursor`)",
    access: everyone,
    estate: { from: 'query', optional: true },
    query: { estateId: { type: 'string' }, cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: NOTICE_PAGE_MAX } },
  },
  async (c) => {
    const auth = authOf(c);
    const t = auth.tenantId;
    const limit = pageSize(c.req.query('limit'), NOTICE_PAGE, NOTICE_PAGE_MAX);
    const cursor = decodeCursor(c.req.query('cursor'));
    const estateIds = queriedEstates(c);
    if (estateIds.length === 0) return c.json({ items: [], nextCursor: null });
    // the estates by the caller's role there: one condition per role, each over its estates
    const byRole = new Map<string, string[]>();
    for (const e of estateIds) {
      const role = auth.roles.get(e)!;
      byRole.set(role, [...(byRole.get(role) ?? []), e]);
    }
    const perRole = [...byRole].map(([role, estates]) => {
      // a notice about a request reaches only who may see that request (the access rule): one sent to the role
      // `resident` is for that request's residents, as a task for residents is, and `to.resident` names them;
      // notices to every resident of the estate, or of the buildings a resident lives in, are public by design (CP-8)
      const mayRead = accessibleInstances(auth, estates, aliasedInstanceColumns('i'));
      const asResident = role === 'resident'
        ? sql` or (o.payload->'to'->>'residents' = 'estate')
            or (o.payload->'to'->>'resident' = 'true' and ${mayRead})
            or (o.payload->'to'->>'residents' = 'building' and u.building_id in (
              select mu.building_id from ${residents} join units mu on mu.tenant_id = ${residents.tenantId} and mu.id = ${residents.unitId}
              where ${residents.tenantId} = ${t}::uuid and ${residents.estateId} = o.estate_id and ${residents.userId} = ${auth.userId}::uuid
                and ${residentLinkActive(auth.at)}))`
        : sql``;
      return sql`(o.estate_id in ${estates} and (((o.payload->'to'->>'role' = ${role} or coalesce(o.payload->'roles', '[]'::jsonb) ? ${role}) and (o.instance_id is null or ${mayRead}))
            or o.payload->'to'->>'user' = ${auth.userId}${asResident}))`;
    });
    // notices stay on this page for the retention window (EF_NOTICE_RETENTION_MONTHS, default 12 months; older
    // delivered months may be archived, `pnpm wf outbox archive`): the bound also keeps the reads to those months' partitions
    const since = sql` and o.created_at >= ${noticesSince(auth.at).toISOString()}::timestamptz`;
    const after = cursor ? sql`${since} and (o.created_at, o.id) < (${cursor.key}::timestamptz, ${cursor.id}::uuid)` : since;
    // the caller's notices are a few among the company's many: find the candidates from the caller's side
    // (noticeCandidates, each kind on its own index), so the page costs the same in a busy company; the rule above decides
    const rows = rowsOf<{ id: string; estate_id: string; instance_id: string | null; serial: string | null; workflow: string | null; version_id: string | null; kind: string; payload: Record<string, unknown>; status: string; created_at: string | Date; processed_at: string | Date | null; at: string }>(
      await c.get('deps').db.execute(sql`
        with candidates as materialized (${noticeCandidates(auth, byRole, limit + 1, after)})
        select o.id, o.estate_id, o.instance_id, i.serial, i.workflow_key as workflow, i.definition_version_id as version_id, o.kind, o.payload, o.status, o.created_at, o.processed_at, o.created_at::text as at
        from (select distinct id, created_at from candidates) c
        -- each candidate read by its key (limit 1 keeps the planner from flattening this into a hash join that
        -- scans every month of the company's notices to meet a handful of candidates: 2.6 s at the large size)
        cross join lateral (select o.* from outbox o where o.tenant_id = ${t}::uuid and o.id = c.id and o.created_at = c.created_at limit 1) o
        left join instances i on i.tenant_id = o.tenant_id and i.id = o.instance_id
        left join units u on u.tenant_id = i.tenant_id and u.id = i.unit_id
        where o.kind in ('notify', 'escalate') and (${sql.join(perRole, sql` or `)})${after}
        order by o.created_at desc, o.id desc
        limit ${limit + 1}`));
    const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    const items = shown.map((r) => ({
      id: r.id, estateId: r.estate_id, instanceId: r.instance_id, serial: r.serial, workflow: r.workflow, definitionVersionId: r.version_id, kind: r.kind, payload: maskValue(jsonValue(r.payload)), status: r.status,
      createdAt: iso(r.created_at), deliveredAt: iso(r.processed_at),
    }));
    return c.json({
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ key: last.at, id: last.id }) : null,
      // a notice that names someone by id (a technician) reads their display name on screen
      people: await peopleNamed(c.get('deps').db, t, items.map((n) => (n.payload as { message?: unknown }).message)),
    });
  },
);
