import { summaryData } from '../services/definition-words.ts';
import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import { instances, memberships, tasks, units, type Role } from '@estateflow/db';
import type { AppEnv } from '../env.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, pageSize, uuidArray } from '../services/keyset.ts';
import { authOf, everyone, queriedEstates, requireEstate, Resource } from '../route-table.ts';
import { isUuid, likeEscaped, param } from '../services/body.ts';
import { planClaim } from '../store/index.ts';
import { storeOf } from '../services/event-path.ts';
import { accessibleInstances, isStaff, type InstanceColumns, mayAccessInstance, notYours, taskWaitsFor } from '../services/instance-access.ts';
import * as S from '../schemas/tasks.ts';

/** The inbox's page: 50 rows by default, at most 200 (issue #21: no route returns an unbounded list). */
const TASK_PAGE = 50;
const TASK_PAGE_MAX = 200;
/** The inbox's sort key, as tasks_due_idx holds it: a task with no due date sorts after every dated one. */
const dueKey = sql`coalesce(${tasks.dueAt}, 'infinity'::timestamptz)`;

/** A timestamptz as PostgreSQL prints it (`2026-01-01 08:00:00.123+00`), a real day (a cast of anything else would fail). */
function printedTime(v: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)[+-]\d{2}(?::\d{2}){0,2}$/.exec(v);
  if (!m) return false;
  const at = Date.parse(`${m[1]}T${m[2]!.slice(0, 12)}Z`);
  return m[1]! >= '1000' && !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === m[1];
}

/** The inbox cursor: the last row's due key and created time (as PostgreSQL printed them) and its id. */
function taskCursor(value: string | undefined): { due: string; created: string; id: string } | undefined {
  const c = decodeCursor(value);
  if (!c) return undefined;
  try {
    const [due, created] = JSON.parse(c.key) as unknown[];
    if (typeof due === 'string' && typeof created === 'string' && printedTime(created) && (due === 'infinity' || printedTime(due))) return { due, created, id: c.id };
  } catch {
    // refused below
  }
  throw invalid('cursor', 'is not a cursor this list gave out; start again without it', '不是本列表给出的翻页位置，请去掉它从第一页重新开始');
}

/**
 * The access rule's columns with the estate read from the task (a task's estate is its request's): the
 * planner then sees one estate condition on tasks, walks tasks_due_idx in order and stops at the page,
 * instead of misjudging the join as a few rows and sorting every open task of the estate.
 */
const taskInstanceColumns: InstanceColumns = {
  tenantId: instances.tenantId, estateId: tasks.estateId, unitId: instances.unitId, startedBy: instances.startedBy, requestedFor: instances.requestedFor, definitionVersionId: instances.definitionVersionId,
};

/**
 * The inbox's search box, inside the request lookup (`r` the request, `u` its unit): the request's number
 * (as typed, or its beginning), a word of its text (`search_text`: number and data), the task's title in
 * either language, or the unit's label. Matched per task of the page's walk, not through a text index.
 */
function inboxSearch(text: string): SQL {
  const like = `%${likeEscaped(text)}%`;
  return sql`r.search_text ilike ${like} or ${tasks.title}->>'zh' ilike ${like} or ${tasks.title}->>'en' ilike ${like} or u.label ilike ${like}`;
}

const supervisors: readonly Role[] = ['admin', 'dispatcher', 'duty_manager', 'cs_manager', 'property_manager'];

/** A task of the caller's estate, with the facts of its instance (the access rule reads them). */
async function loadTask(c: Context<AppEnv>, id: string) {
  if (!isUuid(id)) throw notFound('task', id);
  const [found] = await c.get('deps').db
    .select({ task: tasks, inst: { tenantId: instances.tenantId, id: instances.id, estateId: instances.estateId, startedBy: instances.startedBy, requestedFor: instances.requestedFor, unitId: instances.unitId, definitionVersionId: instances.definitionVersionId } })
    .from(tasks)
    .innerJoin(instances, and(eq(instances.tenantId, tasks.tenantId), eq(instances.id, tasks.instanceId)))
    .where(and(eq(tasks.tenantId, authOf(c).tenantId), eq(tasks.id, id)));
  if (!found) throw notFound('task', id);
  const role = requireEstate(c, found.task.estateId);
  return { row: found.task, inst: found.inst, role };
}

const view = (t: typeof tasks.$inferSelect, inst?: { serial: string; workflowKey: string; definitionVersionId: string; state: unknown; unitLabel: string | null; grade: string | null; summary?: Record<string, unknown> }) => ({
  id: t.id, estateId: t.estateId, instanceId: t.instanceId, key: t.key, title: t.title, role: t.role, assigneeId: t.assigneeId, form: t.form,
  events: t.events, dueAt: t.dueAt?.toISOString() ?? null, status: t.status, createdAt: t.createdAt.toISOString(),
  claimedAt: t.claimedAt?.toISOString() ?? null,
  ...(inst ? { serial: inst.serial, workflow: inst.workflowKey, definitionVersionId: inst.definitionVersionId, state: inst.state, unitLabel: inst.unitLabel, grade: inst.grade, ...(inst.summary ? { summary: inst.summary } : {}) } : {}),
});

/** The inbox's query parameters: who sees which tasks and the filters a screen offers (all applied by the server, #21). */
const inboxQuery = {
  estateId: { type: 'string' },
  scope: { type: 'string', enum: ['mine', 'role', 'all'], description: 'mine = assigned to me; role = my role, unassigned or mine (default); all = every open task of the estate (supervisors)' },
  status: { type: 'string', enum: ['open', 'done', 'cancelled'] },
  event: { type: 'string', minLength: 1, maxLength: 100, description: 'only tasks closed by this event (the revisit queue: REVISIT)' },
  workflow: { type: 'string', minLength: 1, maxLength: 100, description: "only tasks of this workflow's requests (its key)" },
  grade: { type: 'string', minLength: 1, maxLength: 100, description: 'only tasks of requests of this grade (major, important, minor)' },
  due: { type: 'string', enum: ['overdue', 'ok', 'none'], description: 'overdue = due now or earlier; ok = due later; none = no due date' },
  q: { type: 'string', minLength: 1, maxLength: 100, description: "search: the request's number (its beginning), its text, the task's title or the unit" },
} as const;

/**
 * The tasks of the inbox's query (`inboxQuery`) in the estates asked: the caller's by scope and role, those of requests
 * they may see, and each filter. `staffOnly`: every estate's role is staff, so the condition reads tasks alone (a
 * resident's reads their requests, and `taskWaitsFor` decides each row after).
 */
function inboxWhere(c: Context<AppEnv>, q: Record<string, string>, estateIds: string[]): { where: SQL; staffOnly: boolean } {
  const auth = authOf(c);
  const scope = q.scope ?? 'role';
  const perEstate: SQL[] = estateIds.map((estateId) => {
    const role = auth.roles.get(estateId)!;
    const inEstate = eq(tasks.estateId, estateId);
    if (scope === 'mine') return and(inEstate, eq(tasks.assigneeId, auth.userId))!;
    if (scope === 'all' && supervisors.includes(role)) return inEstate;
    // a resident's: those of the requests they may see (the access rule below), then `taskWaitsFor`
    if (!isStaff(role)) return inEstate;
    return and(inEstate, or(eq(tasks.assigneeId, auth.userId), and(eq(tasks.role, role), isNull(tasks.assigneeId))))!;
  });
  // the page's filters, all on the server so a page holds only matching rows (#21): the due status is a range of
  // tasks_due_idx's key; the request's workflow, grade and text are checked per task as the walk reaches it, on the
  // requests' key (`offset 0` keeps the check a per-row lookup: as a join the planner would read every request)
  const now = c.get('deps').config.now();
  const due = q.due === 'overdue' ? sql`${dueKey} <= ${now.toISOString()}::timestamptz`
    : q.due === 'ok' ? sql`${dueKey} > ${now.toISOString()}::timestamptz and ${dueKey} < 'infinity'::timestamptz`
      : q.due === 'none' ? sql`${dueKey} = 'infinity'::timestamptz` : undefined;
  const text = q.q?.trim();
  const ofRequest = q.workflow || q.grade || text
    ? sql`exists (select 1 from ${instances} r left join ${units} u on u.tenant_id = r.tenant_id and u.id = r.unit_id
        where r.tenant_id = ${tasks.tenantId} and r.id = ${tasks.instanceId}
        ${q.workflow ? sql`and r.workflow_key = ${q.workflow}` : sql``} ${q.grade ? sql`and r.grade = ${q.grade}` : sql``}
        ${text ? sql`and (${inboxSearch(text)})` : sql``} offset 0)`
    : undefined;
  return {
    where: and(eq(tasks.tenantId, auth.tenantId), eq(tasks.status, (q.status ?? 'open') as 'open'), or(...perEstate), accessibleInstances(auth, estateIds, taskInstanceColumns),
      q.event ? sql`${tasks.events} @> ${JSON.stringify([q.event])}::jsonb` : undefined, due, ofRequest)!,
    staffOnly: estateIds.every((id) => isStaff(auth.roles.get(id))),
  };
}

export const taskRoutes = new Resource('/tasks', 'Tasks')
  .get(
    '/',
    {
      responses: { 200: S.taskList },
      summary: "Inbox: open tasks for the caller's role or assigned to the caller, earliest due first (no due date last, then oldest first), a page at a time (`limit` ≤ 200, default 50; `nextCursor` back as `cursor`), read on tasks_due_idx",
      access: everyone,
      estate: { from: 'query', optional: true },
      query: {
        ...inboxQuery,
        limit: { type: 'integer', minimum: 1, maximum: TASK_PAGE_MAX },
        cursor: { type: 'string' },
      },
    },
    async (c) => {
      const auth = authOf(c);
      const q = c.req.query();
      const limit = pageSize(q.limit, TASK_PAGE, TASK_PAGE_MAX);
      const cursor = taskCursor(q.cursor);
      const estateIds = queriedEstates(c);
      if (estateIds.length === 0) return c.json({ items: [], nextCursor: null });
      const { where, staffOnly } = inboxWhere(c, q, estateIds);
      // the order of tasks_due_idx: due (none last), created, id; the next page starts after the last row read
      const after = cursor ? sql`(${dueKey}, ${tasks.createdAt}, ${tasks.id}) > (${cursor.due}::timestamptz, ${cursor.created}::timestamptz, ${cursor.id}::uuid)` : undefined;
      const { db, cache } = c.get('deps');
      // 1. the page's tasks, from tasks alone for staff (their access rule is the task's estate), so the sort reads
      // index rows and only the page joins its requests (50 estates' 20,000 open tasks: 22 ms, not 900 ms joined);
      // a resident's read their requests (the rule names the request's people and unit)
      const pageQuery = db.select({ id: tasks.id, dueKey: sql<string>`${dueKey}::text`, createdKey: sql<string>`${tasks.createdAt}::text` }).from(tasks).$dynamic();
      const read = await (staffOnly ? pageQuery : pageQuery.innerJoin(instances, and(eq(instances.tenantId, tasks.tenantId), eq(instances.id, tasks.instanceId))))
        // a task is listed only to who may see its request: a task for residents reaches that request's residents, not the estate's
        .where(and(where, after))
        .orderBy(dueKey, asc(tasks.createdAt), asc(tasks.id))
        .limit(limit + 1);
      const ids = read.slice(0, limit).map((r) => r.id);
      const last = read[ids.length - 1];
      // a page may show fewer rows than it read (tasks not the caller's, below); the cursor follows the rows read
      const nextCursor = read.length > limit && last ? encodeCursor({ key: JSON.stringify([last.dueKey, last.createdKey]), id: last.id }) : null;
      // 2. the page's rows with their requests, in the page's order
      const joined = ids.length ? await db
        .select({ task: tasks, serial: instances.serial, workflowKey: instances.workflowKey, definitionVersionId: instances.definitionVersionId, state: instances.state, unitLabel: units.label, grade: instances.grade, data: sql<Record<string, unknown> | null>`${instances.snapshot}->'context'->'data'` })
        .from(tasks)
        .innerJoin(instances, and(eq(instances.tenantId, tasks.tenantId), eq(instances.id, tasks.instanceId)))
        .leftJoin(units, and(eq(units.tenantId, instances.tenantId), eq(units.id, instances.unitId)))
        .where(and(eq(tasks.tenantId, auth.tenantId), sql`${tasks.id} = any(${uuidArray(ids)})`)) : [];
      const byId = new Map(joined.map((r) => [r.task.id, r]));
      const rows = ids.flatMap((id) => byId.get(id) ?? []);
      const mine = await Promise.all(rows.map((r) => taskWaitsFor({ db, cache }, auth, r.task, r.definitionVersionId)));
      // each row with the key fields its definition marks summary, of those the caller's role may see
      const shown = rows.filter((_, n) => mine[n]);
      const items = await Promise.all(shown.map(async (r) => {
        const compiled = (await cache.get(db, auth.tenantId, r.definitionVersionId)).compiled;
        return view(r.task, { ...r, summary: summaryData(compiled, auth.roles.get(r.task.estateId) ?? '', r.data) });
      }));
      return c.json({ items, nextCursor });
    },
  )
  .get(
    '/counts',
    {
      responses: { 200: S.taskCounts },
      summary: "How many open tasks the inbox holds for the caller, and how many of them are overdue, with the inbox's scope and filters: counted by the server (home and /me show every one, not the first page's)",
      access: everyone,
      estate: { from: 'query', optional: true },
      query: inboxQuery,
    },
    async (c) => {
      const auth = authOf(c);
      const q = c.req.query();
      const estateIds = queriedEstates(c);
      if (estateIds.length === 0) return c.json({ open: 0, overdue: 0 });
      const { where, staffOnly } = inboxWhere(c, q, estateIds);
      const { db, cache, config } = c.get('deps');
      const late = sql<boolean>`${dueKey} <= ${config.now().toISOString()}::timestamptz`;
      if (staffOnly) {
        // a count on tasks_due_idx: the estates' open tasks, however many, in one index range per estate
        const [n] = await db.select({ open: sql<number>`count(*)::int`, overdue: sql<number>`(count(*) filter (where ${late}))::int` }).from(tasks).where(where);
        return c.json({ open: n?.open ?? 0, overdue: n?.overdue ?? 0 });
      }
      // a resident's: the tasks of their own requests (a few), each decided as the list decides it (`taskWaitsFor`)
      const rows = await db.select({ task: tasks, definitionVersionId: instances.definitionVersionId, late: sql<boolean>`${late}` }).from(tasks)
        .innerJoin(instances, and(eq(instances.tenantId, tasks.tenantId), eq(instances.id, tasks.instanceId))).where(where);
      const mine = await Promise.all(rows.map((r) => taskWaitsFor({ db, cache }, auth, r.task, r.definitionVersionId)));
      const counted = rows.filter((_, n) => mine[n]);
      return c.json({ open: counted.length, overdue: counted.filter((r) => r.late).length });
    },
  )
  .post('/:id/claim', { responses: { 200: S.task }, summary: 'Claim an open task of your role (assign it to yourself)', access: everyone, estate: { from: 'param', param: 'id' }, params: { id: 'task' }, example: {} }, async (c) => {
    const { row, inst, role } = await loadTask(c, param(c, 'id'));
    const auth = authOf(c);
    const { db, cache } = c.get('deps');
    if (!(await mayAccessInstance({ db, cache }, { userId: auth.userId, role, at: auth.at }, inst))) throw notYours();
    if (row.status !== 'open') throw new ApiError('conflict', { zh: '任务已关闭', en: 'The task is closed' }, { field: 'status' });
    // supervisors may take a staff task of another role (its events still need that role); a task for the
    // request's residents is theirs alone
    const mayTake = !row.role || row.role === role || (supervisors.includes(role) && row.role !== 'resident');
    if (!mayTake) throw new ApiError('forbidden', { zh: `此任务属于角色“${row.role}”`, en: `This task belongs to role "${row.role}"` }, { field: 'role' });
    const now = c.get('deps').config.now();
    const claim = { taskId: row.id, assigneeId: auth.userId, role: row.role, unlessHeld: true };
    const [answer] = await storeOf({ db, cache, now: () => now }).commit([planClaim(row, claim, now)]);
    if (answer !== 'ok') throw new ApiError('conflict', { zh: '任务已被他人认领', en: 'Someone else has claimed this task' }, { field: 'assigneeId' });
    return c.json(view({ ...row, assigneeId: auth.userId, claimedAt: now }));
  })
  .post(
    '/:id/reassign',
    {
      responses: { 200: S.task },
      summary: 'Reassign a task to a user and/or role of the same estate (dispatcher, duty/CS/property manager, admin)',
      access: supervisors,
      estate: { from: 'param', param: 'id' },
      params: { id: 'task' },
      body: { type: 'object', properties: { userId: { type: ['string', 'null'] }, role: { type: ['string', 'null'] } } },
      example: { role: 'technician' },
    },
    async (c, { body }) => {
      const { row, inst } = await loadTask(c, param(c, 'id'));
      const auth = authOf(c);
      const userId = body.userId ?? undefined;
      const role = body.role ?? undefined;
      const { db, cache } = c.get('deps');
      if (userId !== undefined) {
        const [m] = isUuid(userId)
          ? await db.select().from(memberships).where(and(eq(memberships.tenantId, auth.tenantId), eq(memberships.userId, userId), eq(memberships.estateId, row.estateId)))
          : [];
        if (!m) throw new ApiError('invalid-request', { zh: '该用户不在本项目中', en: 'That user has no role in this estate' }, { field: 'userId' });
        // a task goes only to someone who may see its request (a resident of another household may not)
        if (!(await mayAccessInstance({ db, cache }, { userId, role: m.role, at: auth.at }, inst))) {
          throw new ApiError('invalid-request', { zh: '该用户无权查看此任务所属的事项', en: 'That user may not see the request this task belongs to' }, { field: 'userId' });
        }
      }
      const closed = () => new ApiError('conflict', { zh: '任务已关闭', en: 'The task is closed' }, { field: 'status' });
      if (row.status !== 'open') throw closed();
      const now = c.get('deps').config.now();
      const claim = { taskId: row.id, assigneeId: userId ?? null, role: role ?? row.role, unlessHeld: false };
      const [answer] = await storeOf({ db, cache, now: () => now }).commit([planClaim(row, claim, now)]);
      if (answer !== 'ok') throw closed();
      return c.json(view({ ...row, assigneeId: claim.assigneeId, role: claim.role, claimedAt: claim.assigneeId ? now : null }));
    },
  );
