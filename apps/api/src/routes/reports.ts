import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { events, instances, outbox, tasks } from '@estateflow/db';
import { authOf, everyone, managers, requireEstate, Resource } from '../route-table.ts';
import { clocksOf } from '../services/sla-clocks.ts';

const reportQuery = { estateId: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } };
const readers = [...managers, 'dispatcher', 'consultant'] as const;

/**
 * How a revisit is recorded in the catalogue's bundles: a `REVISIT` event whose form (ps-revisit,
 * rp-revisit, cp-revisit, hd-owner-revisit) has a required enum field `method`. The paid-service and
 * repair forms say `"phone" | "onsite"`, the complaint and difficult-owner forms `"phone" | "visit"`:
 * both `onsite` and `visit` are 上门 (on site), `phone` is not (PS-8: ≥ 5 % on site).
 */
export const REVISIT_EVENT = 'REVISIT';
export const REVISIT_METHOD_FIELD = 'method';
export const ON_SITE_METHODS: readonly string[] = ['onsite', 'visit'];
const isOnSite = (method: string | null): boolean => method !== null && ON_SITE_METHODS.includes(method);

function period(q: Record<string, string>) {
  const from = q.from ? new Date(q.from) : new Date(0);
  const to = q.to ? new Date(q.to) : new Date('9999-01-01T00:00:00Z');
  return { from: Number.isNaN(from.getTime()) ? new Date(0) : from, to: Number.isNaN(to.getTime()) ? new Date('9999-01-01T00:00:00Z') : to };
}

export const reportRoutes = new Resource('/reports', 'Reports')
  .get('/summary', { summary: 'Instances by workflow and status, complaints by grade and status, task due compliance (CP-9, PS-9, RP-5)', access: readers, estate: { from: 'query' }, query: reportQuery }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const { tenantId } = authOf(c);
    const { from, to } = period(q);
    const { db } = c.get('deps');
    const scope = and(eq(instances.tenantId, tenantId), eq(instances.estateId, q.estateId!), gte(instances.startedAt, from), lt(instances.startedAt, to));
    const byWorkflow = await db.select({ workflow: instances.workflowKey, status: instances.status, count: sql<number>`count(*)::int` }).from(instances).where(scope).groupBy(instances.workflowKey, instances.status);
    const complaints = await db.select({ grade: instances.grade, status: instances.status, count: sql<number>`count(*)::int` }).from(instances)
      .where(and(scope, eq(instances.workflowKey, 'complaint'))).groupBy(instances.grade, instances.status);
    const taskDue = await db.select({
      workflow: instances.workflowKey,
      closed: sql<number>`count(*) filter (where ${tasks.status} = 'done')::int`,
      closedOnTime: sql<number>`count(*) filter (where ${tasks.status} = 'done' and (${tasks.dueAt} is null or ${tasks.closedAt} <= ${tasks.dueAt}))::int`,
      openOverdue: sql<number>`count(*) filter (where ${tasks.status} = 'open' and ${tasks.dueAt} < now())::int`,
    }).from(tasks).innerJoin(instances, and(eq(instances.tenantId, tasks.tenantId), eq(instances.id, tasks.instanceId))).where(scope).groupBy(instances.workflowKey);
    return c.json({ estateId: q.estateId, from: from.toISOString(), to: to.toISOString(), byWorkflow, complaints, taskDue });
  })
  .get('/sla', { summary: 'SLA compliance by workflow and metric (met, breached, running) from each instance history', access: readers, estate: { from: 'query' }, query: reportQuery }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const { tenantId } = authOf(c);
    const { from, to } = period(q);
    const { db, config } = c.get('deps');
    const rows = await db.select().from(instances)
      .where(and(eq(instances.tenantId, tenantId), eq(instances.estateId, q.estateId!), gte(instances.startedAt, from), lt(instances.startedAt, to))).limit(2000);
    const now = config.now();
    const table = new Map<string, { workflow: string; policy: string; metricId: string; met: number; breached: number; running: number; paused: number; pending: number }>();
    for (const inst of rows) {
      const { clocks } = await clocksOf(db, inst, now);
      for (const clock of clocks) {
        const k = `${inst.workflowKey}/${clock.policy}/${clock.metricId}`;
        const entry = table.get(k) ?? { workflow: inst.workflowKey, policy: clock.policy, metricId: clock.metricId, met: 0, breached: 0, running: 0, paused: 0, pending: 0 };
        entry[clock.status]++;
        table.set(k, entry);
      }
    }
    const items = [...table.values()].map((e) => ({ ...e, compliance: e.met + e.breached > 0 ? e.met / (e.met + e.breached) : null }));
    return c.json({ estateId: q.estateId, instances: rows.length, items });
  })
  .get('/revisits', { summary: 'Revisit rate of ended instances and the on-site share of revisits: a REVISIT event whose form field `method` is "onsite" (paid service, repair) or "visit" (complaint, difficult-owner revisit) (PS-8: ≥ 5 % on site; RP-4, CP-7: 100 %)', access: readers, estate: { from: 'query' }, query: reportQuery }, async (c) => {
    const q = c.req.query();
    requireEstate(c, q.estateId);
    const { tenantId } = authOf(c);
    const { from, to } = period(q);
    const { db } = c.get('deps');
    const ended = await db.select({ id: instances.id, workflow: instances.workflowKey }).from(instances)
      .where(and(eq(instances.tenantId, tenantId), eq(instances.estateId, q.estateId!), eq(instances.status, 'done'), gte(instances.startedAt, from), lt(instances.startedAt, to)));
    const ids = ended.map((e) => e.id);
    const revisits = ids.length
      ? await db.select({ instanceId: events.instanceId, method: sql<string | null>`${events.data}->>${REVISIT_METHOD_FIELD}` }).from(events)
        .where(and(eq(events.tenantId, tenantId), inArray(events.instanceId, ids), eq(events.type, REVISIT_EVENT)))
      : [];
    const workflowOf = new Map(ended.map((e) => [e.id, e.workflow]));
    const revisited = new Set(revisits.map((r) => r.instanceId));
    const byWorkflow = new Map<string, { workflow: string; ended: number; revisited: number; revisits: number; onSite: number }>();
    const entry = (workflow: string) => byWorkflow.get(workflow) ?? { workflow, ended: 0, revisited: 0, revisits: 0, onSite: 0 };
    for (const e of ended) {
      const w = entry(e.workflow);
      w.ended++;
      if (revisited.has(e.id)) w.revisited++;
      byWorkflow.set(e.workflow, w);
    }
    const byMethod: Record<string, number> = {};
    let onSite = 0;
    for (const r of revisits) {
      const method = r.method ?? 'none';
      byMethod[method] = (byMethod[method] ?? 0) + 1;
      const w = byWorkflow.get(workflowOf.get(r.instanceId)!)!;
      w.revisits++;
      if (isOnSite(r.method)) {
        onSite++;
        w.onSite++;
      }
    }
    return c.json({
      estateId: q.estateId,
      ended: ended.length,
      revisited: revisited.size,
      revisitRate: ended.length ? revisited.size / ended.length : null,
      revisits: revisits.length,
      onSite,
      onSiteShare: revisits.length ? onSite / revisits.length : null,
      onSiteRule: { event: REVISIT_EVENT, field: REVISIT_METHOD_FIELD, values: [...ON_SITE_METHODS] },
      byMethod,
      byWorkflow: [...byWorkflow.values()].map((w) => ({ ...w, onSiteShare: w.revisits ? w.onSite / w.revisits : null })),
    });
  });

/** In-app notices delivered by the worker (notify / escalate effects) addressed to the caller's role. */
export const noticeRoutes = new Resource('/notices', 'Notices').get(
  '/',
  { summary: "Notices for the caller's role or user in an estate, newest first", access: everyone, estate: { from: 'query' }, query: { estateId: { type: 'string' } } },
  async (c) => {
    const estateId = c.req.query('estateId');
    const role = requireEstate(c, estateId);
    const auth = authOf(c);
    const rows = await c.get('deps').db.select().from(outbox)
      .where(and(eq(outbox.tenantId, auth.tenantId), eq(outbox.estateId, estateId!), inArray(outbox.kind, ['notify', 'escalate'])))
      .orderBy(sql`${outbox.createdAt} desc`).limit(200);
    const mine = rows.filter((r) => {
      const p = r.payload as { to?: { role?: string; user?: string }; roles?: string[] };
      return p.to?.role === role || p.to?.user === auth.userId || (p.roles ?? []).includes(role);
    });
    return c.json({ items: mine.map((r) => ({ id: r.id, instanceId: r.instanceId, kind: r.kind, payload: r.payload, status: r.status, createdAt: r.createdAt.toISOString(), deliveredAt: r.processedAt?.toISOString() ?? null })) });
  },
);
