import { and, eq, gte, lt, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCompany, createEstate, createUser } from '@estateflow/api';
import { events, instances, reportFacts, tasks, units, type Db } from '@estateflow/db';
import { ClockInputCache, clocksFromHistory } from '../../apps/api/src/services/sla-clocks.ts';
import { historiesOf, instanceBatches } from '../../apps/api/src/services/instance-scan.ts';
import { isOnSite, recomputeRollups, refreshRollups, REVISIT_EVENT, REVISIT_METHOD_FIELD } from '../../apps/api/src/services/rollups.ts';
import { rowsOf } from '../../apps/api/src/store/index.ts';
import { cloneInstance } from '../support/clone-rows.ts';
import { withDatabases } from '../support/db.ts';
import { signIn, testApp, testConfig } from '../support/api.ts';
import { driveScenario, finishedScenarios } from '../support/scenario-drive.ts';
import { catchUpRollups } from '../support/rollups.ts';

/** Requests driven through the API as templates of the random histories: a repair cancelled with its technician's task cancelled, reworks, revisits on site and by phone, complaint grades, SLA clocks met and breached. */
const TEMPLATES = ['rp-cancel-after-dispatch', 'rp-paid-leak-rework', 'rp-urgent-late-and-revisit-rework', 'cp-major-harm-reopen', 'cp-late-triage-clocks', 'ps-rework-loop', 'ps-happy-path'];

/** Every stored rollup row with a count, in one comparable list. */
async function storedRollups(db: Db, estateId: string): Promise<unknown[]> {
  const rows = async (q: ReturnType<typeof sql>) => rowsOf<Record<string, unknown>>(await db.execute(q)).map((r) => JSON.stringify(r)).sort();
  return [
    ...(await rows(sql`select day::text, workflow_key, category, channel, grade, started, finished, revisited, revisits, on_site, satisfied, dissatisfied, reworked, reworks, households, returned, tasks, tasks_closed, tasks_on_time
      from report_rollups where estate_id = ${estateId}::uuid and (started, finished, revisited, revisits, on_site, satisfied, dissatisfied, reworked, reworks, households, returned, tasks, tasks_closed, tasks_on_time) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`)),
    ...(await rows(sql`select day::text, workflow_key, method, count from report_revisit_rollups where estate_id = ${estateId}::uuid and count <> 0`)),
    ...(await rows(sql`select day::text, workflow_key, policy, metric_id, met, breached from report_sla_rollups where estate_id = ${estateId}::uuid and (met, breached) <> (0, 0)`)),
  ];
}

/** The figures as the reports computed them before the rollups: from every instance of the range and its history. */
async function oldWay(db: Db, tenantId: string, estateId: string, from: Date, to: Date, now: Date) {
  const scope = and(eq(instances.tenantId, tenantId), eq(instances.estateId, estateId), gte(instances.startedAt, from), lt(instances.startedAt, to));
  const byWorkflow = await db.select({ workflow: instances.workflowKey, status: instances.status, count: sql<number>`count(*)::int` }).from(instances).where(scope).groupBy(instances.workflowKey, instances.status);
  const complaints = await db.select({ grade: instances.grade, status: instances.status, count: sql<number>`count(*)::int` }).from(instances)
    .where(and(scope, eq(instances.workflowKey, 'complaint'))).groupBy(instances.grade, instances.status);
  const inputs = new ClockInputCache(db);
  const sla = new Map<string, Record<string, unknown> & { met: number; breached: number; running: number; paused: number; pending: number }>();
  let count = 0;
  for await (const batch of instanceBatches(db, scope, 7)) {
    count += batch.length;
    const histories = await historiesOf(db, tenantId, batch.map((i) => i.id));
    for (const inst of batch) {
      const given = await inputs.of(inst);
      if (!given) continue;
      for (const c of clocksFromHistory(inst, histories.get(inst.id) ?? [], given, now).clocks) {
        // a cancelled request's clocks stopped: no report counts them
        if (c.status === 'stopped') continue;
        const k = `${inst.workflowKey}/${c.policy}/${c.metricId}`;
        const e = sla.get(k) ?? { workflow: inst.workflowKey, policy: c.policy, metricId: c.metricId, met: 0, breached: 0, running: 0, paused: 0, pending: 0 };
        e[c.status]++;
        sla.set(k, e);
      }
    }
  }
  const done = and(scope, eq(instances.status, 'done'));
  const isRevisit = and(eq(events.tenantId, instances.tenantId), eq(events.instanceId, instances.id), eq(events.type, REVISIT_EVENT));
  const ended = await db.select({ workflow: instances.workflowKey, ended: sql<number>`count(*)::int`, revisited: sql<number>`count(*) filter (where exists (select 1 from ${events} where ${isRevisit}))::int` })
    .from(instances).where(done).groupBy(instances.workflowKey);
  const methods = await db.select({ method: sql<string | null>`${events.data}->>${REVISIT_METHOD_FIELD}`, count: sql<number>`count(*)::int` })
    .from(instances).innerJoin(events, isRevisit).where(done).groupBy(sql`1`);
  const byMethod = Object.fromEntries(methods.map((m) => [m.method ?? 'none', m.count]));
  // the summary's task due compliance as the route counted it before the rollups: every task of the range's requests
  const taskDue = await db.select({
    workflow: instances.workflowKey,
    closed: sql<number>`count(*) filter (where ${tasks.status} = 'done')::int`,
    closedOnTime: sql<number>`count(*) filter (where ${tasks.status} = 'done' and (${tasks.dueAt} is null or ${tasks.closedAt} <= ${tasks.dueAt}))::int`,
    openOverdue: sql<number>`count(*) filter (where ${tasks.status} = 'open' and ${tasks.dueAt} < now())::int`,
  }).from(tasks).innerJoin(instances, and(eq(instances.tenantId, tasks.tenantId), eq(instances.id, tasks.instanceId)))
    .where(and(scope, eq(tasks.tenantId, tenantId), eq(tasks.estateId, estateId))).groupBy(instances.workflowKey);
  const revisits = methods.reduce((n, m) => n + m.count, 0);
  return {
    summary: { byWorkflow: sortRows(byWorkflow), complaints: sortRows(complaints), taskDue: sortRows(taskDue) },
    sla: { instances: count, items: sortRows([...sla.values()]) },
    revisits: {
      ended: ended.reduce((n, r) => n + r.ended, 0), revisited: ended.reduce((n, r) => n + r.revisited, 0), revisits, byMethod,
      onSite: methods.filter((m) => isOnSite(m.method)).reduce((n, m) => n + m.count, 0),
    },
  };
}

const sortRows = <T>(rows: T[]): T[] => rows.map((r) => JSON.stringify(r, Object.keys(r as object).sort())).sort().map((s) => JSON.parse(s) as T);

withDatabases((kind, getDb) => {
  it(`keeps rollups equal to a recompute from history, and the reports equal to counting every request, over random histories on ${kind}`, async () => {
    const db = getDb();
    const tenantId = await createCompany(db, '汇总物业');
    const estateId = await createEstate(db, tenantId, { name: '汇总小区', buildings: [{ name: '1栋', units: ['1-101'] }] });
    const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.tenantId, tenantId));
    const clock = { now: new Date('2026-05-01T00:00:00Z') };
    const app = testApp(db, { now: () => clock.now });
    const scenarios = finishedScenarios().filter((s) => TEMPLATES.includes(s.scenario.id));
    expect(scenarios.length).toBeGreaterThanOrEqual(4);
    const templates: string[] = [];
    let lastEnd = 0;
    for (const [i, s] of scenarios.entries()) {
      const d = await driveScenario(db, app, clock, { tenantId, estateId, unitId: unit!.id, tag: `ru${i}` }, s);
      templates.push(d.instanceId);
      lastEnd = Math.max(lastEnd, d.now.getTime());
    }
    await createUser(db, testConfig as never, { tenantId, username: `rollup-pm-${kind}`, password: 'pw', roles: [{ estateId, role: 'property_manager' }] });
    // the worker's clock: after every history, the copies' too (moved at most 4 × 5 days)
    const refreshNow = new Date(lastEnd + 30 * 86_400_000);
    // the cancelled repair's technician task was cancelled, not done
    const [cancelled] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from tasks where tenant_id = ${tenantId}::uuid and status = 'cancelled'`));
    expect(cancelled!.n).toBeGreaterThan(0);
    // the drives' clock went back from one scenario to the next (each starts on its own date), and the worker counted
    // some requests as of a time before their own history: repaired as an operator would, by a recompute from history
    await recomputeRollups(db, { now: refreshNow, tenantId, estateId });

    let run = 0;
    const step = fc.oneof(
      fc.record({ op: fc.constant('clone' as const), template: fc.nat(templates.length - 1), n: fc.integer({ min: 1, max: 4 }), shiftMinutes: fc.integer({ min: 1, max: 60 * 24 * 5 }) }),
      fc.record({
        op: fc.constant('edit' as const), pick: fc.nat(10_000), done: fc.boolean(), grade: fc.constantFrom(null, 'minor', 'major', 'important'),
        category: fc.constantFrom('leak', 'other', 'safety', ''), method: fc.constantFrom('phone', 'onsite', 'visit'), satisfaction: fc.integer({ min: 1, max: 5 }),
        // one of its tasks closed late, closed on time, cancelled before its due (never closed on time), reopened (past due or not), or left as it is
        task: fc.constantFrom('keep', 'late', 'onTime', 'cancelled', 'openOverdue', 'openLater'),
      }),
      fc.record({ op: fc.constant('refresh' as const), batch: fc.integer({ min: 1, max: 9 }) }),
    );
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), fc.nat(40 * 24), fc.nat(20 * 24), fc.integer({ min: 0, max: 72 }), async (steps, fromHours, spanHours, laterHours) => {
      run++;
      for (const [k, s] of steps.entries()) {
        if (s.op === 'clone') {
          const tag = `r${'abcdefghijklmnopqrstuvwxyz'[run % 26]}${'abcdefghijklmnopqrstuvwxyz'[Math.floor(run / 26) % 26]}${'abcdefghij'[k % 10]}`;
          await cloneInstance(db, tenantId, templates[s.template]!, s.n, s.shiftMinutes * 60_000, tag);
          // written now, as the product writes: the update time is the write's
          await db.execute(sql`update instances set updated_at = (select max(updated_at) from instances where tenant_id = ${tenantId}::uuid) + interval '1 second'
            where tenant_id = ${tenantId}::uuid and serial like ${`%-${tag}%`}`);
        } else if (s.op === 'edit') {
          const all = await db.select({ id: instances.id }).from(instances).where(eq(instances.tenantId, tenantId)).orderBy(instances.id);
          const id = all[s.pick % all.length]!.id;
          // a later write: the request's status, grade, category and its revisits' answers change, its version and update time move on
          await db.execute(sql`update instances set status = ${s.done ? 'done' : 'active'}, ended_at = ${s.done ? sql`coalesce(ended_at, started_at + interval '1 day')` : sql`null`}, grade = ${s.grade},
            snapshot = jsonb_set(snapshot, '{context,data,category}', to_jsonb(${s.category}::text), true), version = version + 1,
            updated_at = (select max(updated_at) from instances where tenant_id = ${tenantId}::uuid) + interval '1 second'
            where tenant_id = ${tenantId}::uuid and id = ${id}::uuid`);
          await db.execute(sql`update events set data = data || jsonb_build_object('method', ${s.method}::text, 'satisfaction', ${s.satisfaction}::int)
            where tenant_id = ${tenantId}::uuid and instance_id = ${id}::uuid and type = ${REVISIT_EVENT}`);
          const task = {
            keep: undefined,
            late: sql`status = 'done', due_at = created_at + interval '1 hour', closed_at = created_at + interval '2 hours'`,
            onTime: sql`status = 'done', due_at = created_at + interval '2 hours', closed_at = created_at + interval '1 hour'`,
            cancelled: sql`status = 'cancelled', due_at = created_at + interval '2 hours', closed_at = created_at + interval '1 hour'`,
            openOverdue: sql`status = 'open', due_at = created_at + interval '1 hour', closed_at = null`,
            openLater: sql`status = 'open', due_at = timestamptz '2999-01-01', closed_at = null`,
          }[s.task];
          if (task) await db.execute(sql`update tasks set ${task} where tenant_id = ${tenantId}::uuid
            and id = (select id from tasks where tenant_id = ${tenantId}::uuid and instance_id = ${id}::uuid order by key, id limit 1)`);
        } else {
          await refreshRollups(db, { now: refreshNow, batch: s.batch });
        }
      }
      await catchUpRollups(db, refreshNow, 5);
      // processed again, nothing changes
      const kept = await storedRollups(db, estateId);
      expect(await refreshRollups(db, { now: refreshNow, batch: 50 })).toBe(0);
      const [facts] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from report_facts where tenant_id = ${tenantId}::uuid`));
      const [insts] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from instances where tenant_id = ${tenantId}::uuid`));
      expect(facts!.n).toBe(insts!.n);
      // the rollups the worker kept equal a recompute from history
      await recomputeRollups(db, { now: refreshNow, tenantId, estateId, batch: 13 });
      expect(await storedRollups(db, estateId)).toEqual(kept);

      // and the reports read from them equal counting every request of a range the old way, hours later
      const from = new Date(Date.parse('2026-04-25T00:00:00Z') + fromHours * 3_600_000 + 17 * 60_000);
      const to = new Date(from.getTime() + spanHours * 3_600_000 + 7 * 60_000);
      const reportNow = new Date(refreshNow.getTime() + laterHours * 3_600_000);
      clock.now = reportNow;
      const expected = await oldWay(db, tenantId, estateId, from, to, reportNow);
      const pm = await signIn(app, `rollup-pm-${kind}`, 'pw');
      const q = `estateId=${estateId}&from=${from.toISOString()}&to=${to.toISOString()}`;
      const summary = (await pm.call('GET', `/api/reports/summary?${q}`)).body;
      const slaReport = (await pm.call('GET', `/api/reports/sla?${q}`)).body;
      const revisits = (await pm.call('GET', `/api/reports/revisits?${q}`)).body;
      expect({ byWorkflow: sortRows(summary.byWorkflow), complaints: sortRows(summary.complaints), taskDue: sortRows(summary.taskDue) }).toEqual(expected.summary);
      expect({ instances: slaReport.instances, items: sortRows(slaReport.items.map(({ compliance: _, ...e }: { compliance: unknown }) => e)) }).toEqual(expected.sla);
      expect({ ended: revisits.ended, revisited: revisits.revisited, revisits: revisits.revisits, byMethod: revisits.byMethod, onSite: revisits.onSite }).toEqual(expected.revisits);
      // all time too
      const all = await oldWay(db, tenantId, estateId, new Date(0), new Date('9999-01-01T00:00:00Z'), reportNow);
      expect((await pm.call('GET', `/api/reports/sla?estateId=${estateId}`)).body.instances).toBe(all.sla.instances);
      // the dashboard's all-time summary, task due compliance included, from the rollups equals the old count
      const allTime = (await pm.call('GET', `/api/reports/summary?estateId=${estateId}`)).body;
      expect({ byWorkflow: sortRows(allTime.byWorkflow), complaints: sortRows(allTime.complaints), taskDue: sortRows(allTime.taskDue) }).toEqual(all.summary);
      expect(all.summary.taskDue.some((t) => t.closed > 0)).toBe(true);
      clock.now = refreshNow;
    }), { numRuns: kind === 'pglite' ? 4 : 8, endOnFailure: true });
    // the migration that added the task counts (…_task_due_rollups.sql) fills them in from the tasks for the facts and rollups
    // a database already holds: as the worker keeps them
    await catchUpRollups(db, refreshNow, 5);
    const counted = await storedRollups(db, estateId);
    expect(counted.some((r) => /"tasks_closed":[1-9]/.test(String(r)))).toBe(true);
    await db.execute(sql`update report_facts set figures = figures - 'tasks' where tenant_id = ${tenantId}::uuid`);
    await db.execute(sql`update report_rollups set tasks = 0, tasks_closed = 0, tasks_on_time = 0 where tenant_id = ${tenantId}::uuid`);
    expect(await storedRollups(db, estateId)).not.toEqual(counted);
    const folder = join(import.meta.dirname, '../../packages/db/drizzle');
    const file = readdirSync(folder).find((f) => f.endsWith('_task_due_rollups.sql'))!;
    for (const statement of readFileSync(join(folder, file), 'utf8').split('--> statement-breakpoint')) {
      if (/^\s*(--[^\n]*\n\s*)*UPDATE/.test(statement)) await db.execute(sql.raw(statement));
    }
    expect(await storedRollups(db, estateId)).toEqual(counted);

    const [left] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${reportFacts} where tenant_id = ${tenantId}::uuid`));
    expect(left!.n).toBeGreaterThan(templates.length);
  }, 600_000);
});
