import { and, asc, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import { events, historySince, instanceSearchPairs, instances, tasks, timers, units } from '@estateflow/db';
import { availableEvents, shownType, type EngineSnapshot } from '@estateflow/engine';
import type { AppEnv } from '../env.ts';
import { notFound } from '../errors.ts';
import { authOf, everyone, queriedEstates, requireEstate, Resource, staff } from '../route-table.ts';
import { attachmentRefs, checkAttachmentRefs } from '../services/attachment-refs.ts';
import { isUuid, likeEscaped, param } from '../services/body.ts';
import { audit, sendEvent, startInstance } from '../services/event-path.ts';
import { withAnswer } from '../services/idempotency.ts';
import { accessibleInstances, checkRequestedFor, checkStartUnit, instanceFacts, mayAccessInstance, needsInstanceFacts, notYours, requireInstanceAccess } from '../services/instance-access.ts';
import { peopleNamed } from '../services/people-named.ts';
import { pricedEventData } from '../services/price-list.ts';
import { eventFigures, figuredEventData, firstFiguredEvent } from '../services/monthly-figures.ts';
import { estateTimeZone } from '../services/billing-store.ts';
import { estateDate } from '@estateflow/billing';
import { auditReveal, maskData, mayReadPersonal, personalFieldsCompiled, personalFieldsOfVersion, revealAsked } from '../services/personal-data.ts';
import { clocksOf } from '../services/sla-clocks.ts';
import * as S from '../schemas/instances.ts';
import { afterCursor, decodeCursor, encodeCursor, pageSize, uuidArray } from '../services/keyset.ts';
import { rowsOf } from '../store/index.ts';
import type { Db } from '@estateflow/db';

/** Requests per page: 50 by default, at most 200 (not in the field documents: a screen's worth). */
const INSTANCE_PAGE = 50;
const INSTANCE_PAGE_MAX = 200;

/** A serial as people type it: letters, a dash, digits (RP-0001, RP-000012-c3); matched as a prefix on instances_serial_idx. */
const SERIAL_TEXT = /^[A-Za-z]{1,10}-\d[\w-]*$/;
/** `?reveal=1`: answer phone and ID numbers unmasked (the personal-data permission; audited). */
const revealQuery = { type: 'string', enum: ['0', '1', 'true', 'false'] } as const;

/** Two characters outside ASCII and whitespace (客厅, 张三): the pairs instance_search_pairs holds (packages/db/sql/ef_bigrams.sql). */
const CJK_PAIR = /^[^\p{ASCII}\s]{2}$/u;

/**
 * The search box: a serial (or its beginning) is a prefix match on the serial's own index; any other
 * text a substring of the serial and data (`search_text`), found through its trigram index, or for a
 * two-character CJK word, which has no trigram, through the index of its character pairs.
 */
function searchCondition(text: string): SQL {
  if (SERIAL_TEXT.test(text)) return sql`${instances.serial} like ${`${likeEscaped(text.replace(/^[a-z]+/i, (p) => p.toUpperCase()))}%`}`;
  // the pair finds the requests on instance_search_pairs_idx (the pairs stored beside each request); where
  // the planner reads an estate's rows instead, the `like` on the row itself decides
  if (CJK_PAIR.test(text)) return sql`(exists (select 1 from ${instanceSearchPairs} p where p.tenant_id = ${instances.tenantId} and p.instance_id = ${instances.id} and p.pairs @> array[${text}]::text[]) and ${instances.searchText} like ${`%${text}%`})`;
  return ilike(instances.searchText, `%${likeEscaped(text)}%`);
}

export function instanceSummary(i: typeof instances.$inferSelect, unitLabel?: string | null) {
  const snapshot = i.snapshot as unknown as EngineSnapshot;
  return {
    id: i.id,
    estateId: i.estateId,
    unitId: i.unitId,
    ...(unitLabel !== undefined ? { unitLabel } : {}),
    workflow: i.workflowKey,
    workflowVersion: i.workflowVersion,
    definitionVersionId: i.definitionVersionId,
    serial: i.serial,
    state: i.state,
    status: i.status,
    grade: i.grade,
    version: i.version,
    data: snapshot.context?.data ?? {},
    startedAt: i.startedAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    endedAt: i.endedAt?.toISOString() ?? null,
  };
}

/**
 * An instance as the caller may read it: phone and ID numbers in its data masked unless `reveal`
 * (services/personal-data.ts decides; the caller has asked and holds `personal_data`), with the
 * paths that are (or, revealed, would be) masked.
 */
async function shownSummary(c: Context<AppEnv>, row: typeof instances.$inferSelect, unitLabel?: string | null, reveal = false) {
  const summary = instanceSummary(row, unitLabel);
  if (ownRequest(c, row)) return { ...summary, personal: { masked: [], revealed: false, mayReveal: mayReadPersonal(c, row.estateId) } };
  const { data, masked } = maskData(summary.data, await personalFieldsOfVersion(c, row.tenantId, row.definitionVersionId));
  return { ...summary, data: reveal ? summary.data : data, personal: { masked, revealed: reveal && masked.length > 0, mayReveal: mayReadPersonal(c, row.estateId) } };
}

/**
 * Whether the caller is the person the request is theirs: who raised it, or whom staff registered it
 * for (`requestedFor`, PS-12). Their own phone and ID numbers are shown to them as they gave them
 * (PIPL art. 45: a person may read their own data), with nothing to reveal and nothing audited;
 * everyone else sees them masked.
 */
const ownRequest = (c: Context<AppEnv>, row: typeof instances.$inferSelect): boolean => {
  const me = authOf(c).userId;
  return row.startedBy === me || row.requestedFor === me;
};

/**
 * The answer of a start or an event, the same live and stored for its replay: computed inside the
 * write, where the version is already compiled (`personalFieldsCompiled`), so it cannot wait.
 */
const writtenSummary = (c: Context<AppEnv>, row: typeof instances.$inferSelect) => {
  const summary = instanceSummary(row);
  if (ownRequest(c, row)) return { ...summary, personal: { masked: [], revealed: false, mayReveal: mayReadPersonal(c, row.estateId) } };
  const { data, masked } = maskData(summary.data, personalFieldsCompiled(c, row.tenantId, row.definitionVersionId));
  return { ...summary, data, personal: { masked, revealed: false, mayReveal: mayReadPersonal(c, row.estateId) } };
};

const taskView = (t: typeof tasks.$inferSelect) => ({
  id: t.id, instanceId: t.instanceId, key: t.key, title: t.title, role: t.role, assigneeId: t.assigneeId, form: t.form, events: t.events,
  dueAt: t.dueAt?.toISOString() ?? null, status: t.status, createdAt: t.createdAt.toISOString(), claimedAt: t.claimedAt?.toISOString() ?? null, closedAt: t.closedAt?.toISOString() ?? null,
});

async function loadInstance(c: Context<AppEnv>, id: string) {
  if (!isUuid(id)) throw notFound('instance', id);
  const [row] = await c.get('deps').db.select().from(instances).where(and(eq(instances.tenantId, authOf(c).tenantId), eq(instances.id, id)));
  if (!row) throw notFound('instance', id);
  const role = await requireInstanceAccess(c, row);
  return { row, role };
}

const deps = (c: Context<AppEnv>) => ({ db: c.get('deps').db, cache: c.get('deps').cache, now: c.get('deps').config.now });
const uploadAge = (c: Context<AppEnv>) => ({ now: c.get('deps').config.now(), orphanHours: c.get('deps').config.attachmentOrphanHours });

/**
 * Before an event enters the event path: the caller may act on this instance (the access rule; its
 * facts are read only for a caller who is a resident somewhere, since staff act on their estate's
 * requests within their role), and the files it names are theirs or already the instance's. A
 * refusal by the rule is audited like the engine's own refusals; 404s are left to the event path.
 */
async function authoriseEvent(c: Context<AppEnv>, id: string, type: string, data: Record<string, unknown>): Promise<void> {
  const auth = authOf(c);
  const { db, config } = c.get('deps');
  const facts = needsInstanceFacts(auth) || attachmentRefs(data).length > 0 ? await instanceFacts(db, auth.tenantId, id) : undefined;
  if (!facts) return;
  const role = requireEstate(c, facts.estateId);
  if (!(await mayAccessInstance(c.get('deps'), { userId: auth.userId, role, at: auth.at }, facts))) {
    const refused = notYours();
    await audit(db, {
      tenantId: auth.tenantId, estateId: facts.estateId, actor: { id: auth.userId, role }, action: `event:${shownType(type)}`, target: `instance/${id}`,
      outcome: 'refused', detail: { reason: refused.reason, rule: 'instance-access' }, at: config.now(),
    });
    throw refused;
  }
  await checkAttachmentRefs(db, auth.tenantId, facts.estateId, data, uploadAge(c), { userId: auth.userId, instanceId: id });
}

/** Of an estate's parameter values, those the documents read (`params.x` in a text's placeholder or a rule). */
function paramsRead(docs: readonly unknown[], params: Record<string, unknown>): Record<string, unknown> {
  const names = new Set([...JSON.stringify(docs).matchAll(/\bparams\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
  return Object.fromEntries(Object.entries(params).filter(([k]) => names.has(k)));
}

export const instanceRoutes = new Resource('/instances', 'Instances')
  .post(
    '/',
    {
      responses: { 201: S.instanceSummary },
      summary: 'Start an instance of a workflow with the start form data; staff may register it for a resident (requestedFor), who then follows it as if they had raised it',
      access: everyone,
      estate: { from: 'body' },
      body: {
        type: 'object', required: ['estateId', 'workflow'],
        properties: {
          estateId: { type: 'string', minLength: 1 }, workflow: { type: 'string', minLength: 1 }, unitId: {}, data: { type: 'object' },
          requestedFor: { type: 'string', description: 'staff registering a request a resident told them (first asked owns it, PS-12): the resident account it is for, who lives in the estate (and in unitId when given); they follow it, get its to-dos and notices as if they had raised it' },
        },
      },
      example: { workflow: 'lost-and-found', data: {} },
    },
    async (c, { body }) => {
      const { estateId, workflow } = body;
      const role = requireEstate(c, estateId);
      const auth = authOf(c);
      const unitId = await checkStartUnit(c.get('deps').db, { tenantId: auth.tenantId, estateId, userId: auth.userId, role, at: auth.at }, body.unitId);
      const requestedFor = await checkRequestedFor(c.get('deps').db, { tenantId: auth.tenantId, estateId, role, at: auth.at }, body.requestedFor, unitId);
      const data = body.data ?? {};
      await checkAttachmentRefs(c.get('deps').db, auth.tenantId, estateId, data, uploadAge(c), { userId: auth.userId });
      const row = await startInstance(deps(c), {
        tenantId: auth.tenantId, estateId, workflowKey: workflow, unitId, requestedFor, data,
        // the key and its answer commit with the start (services/idempotency.ts)
        actor: { id: auth.userId, role }, idempotency: withAnswer(c.get('idempotency'), (r) => ({ status: 201, body: writtenSummary(c, r) })),
      });
      return c.json(writtenSummary(c, row), 201);
    },
  )
  .get(
    '/',
    {
      responses: { 200: S.instanceList },
      summary: 'List instances, filtered by estate, unit (`unitId`: every request of any process about that unit, the household file; read on instances_unit_idx), workflow, state, grade, status and text (a serial such as RP-0001 matches serials starting with it; other text is searched in serial and data), most recently updated first, a page at a time (`limit` ≤ 200, default 50; `nextCursor` back as `cursor`); `total=true` adds the exact count (costly on a large estate; no screen asks it)',
      access: everyone,
      estate: { from: 'query', optional: true },
      query: { estateId: { type: 'string' }, unitId: { type: 'string', format: 'uuid' }, workflow: { type: 'string' }, state: { type: 'string' }, grade: { type: 'string' }, status: { type: 'string', enum: ['active', 'done'] }, q: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: INSTANCE_PAGE_MAX }, cursor: { type: 'string' }, total: { type: 'boolean' } },
    },
    async (c) => {
      const auth = authOf(c);
      const q = c.req.query();
      const limit = pageSize(q.limit, INSTANCE_PAGE, INSTANCE_PAGE_MAX);
      const cursor = decodeCursor(q.cursor);
      const estateIds = queriedEstates(c);
      if (estateIds.length === 0) return c.json({ items: [], nextCursor: null, ...(q.total === 'true' ? { total: 0 } : {}) });
      const conds: SQL[] = [eq(instances.tenantId, auth.tenantId), accessibleInstances(auth, estateIds)];
      if (q.unitId) conds.push(eq(instances.unitId, q.unitId));
      if (q.workflow) conds.push(eq(instances.workflowKey, q.workflow));
      if (q.status) conds.push(eq(instances.status, q.status as 'active'));
      if (q.grade) conds.push(eq(instances.grade, q.grade));
      if (q.state) conds.push(sql`${instances.state}::text like ${`%"${q.state.replace(/[%_"\\]/g, '')}"%`}`);
      const text = q.q?.trim();
      if (text) conds.push(searchCondition(text));
      const { db } = c.get('deps');
      const after = afterCursor(instances.updatedAt, instances.id, cursor, 'timestamptz', 'desc');
      // several estates (an admin of 50): the newest page of each estate on instances_updated_idx, then the newest
      // of those, instead of sorting every request of every estate (a sequential scan of a large table); free text
      // keeps one query, where its trigram index does the work
      const page = estateIds.length > 1 && !text ? await newestAcrossEstates(db, estateIds, and(...conds, after)!, limit + 1) : undefined;
      const rows = await db.select({ row: instances, at: sql<string>`${instances.updatedAt}::text`, unitLabel: units.label }).from(instances)
        .leftJoin(units, and(eq(units.tenantId, instances.tenantId), eq(units.id, instances.unitId)))
        .where(page ? and(eq(instances.tenantId, auth.tenantId), page.length ? sql`${instances.id} = any(${uuidArray(page)})` : sql`false`) : and(...conds, after))
        .orderBy(desc(instances.updatedAt), desc(instances.id)).limit(limit + 1);
      const shown = rows.slice(0, limit);
      const last = shown[shown.length - 1];
      const total = q.total === 'true' ? ((await db.select({ n: sql<number>`count(*)::int` }).from(instances).where(and(...conds)))[0]?.n ?? 0) : undefined;
      return c.json({ items: await Promise.all(shown.map((r) => shownSummary(c, r.row, r.unitLabel))), nextCursor: rows.length > limit && last ? encodeCursor({ key: last.at, id: last.row.id }) : null, ...(total === undefined ? {} : { total }) });
    },
  )
  .get('/:id', { responses: { 200: S.instanceDetail }, summary: 'One instance: state, data, the actions available to the caller, tasks, armed timers and SLA clocks; phone and ID numbers masked (138****5678) unless `reveal=1` by a role with the personal-data permission, which is audited', access: everyone, estate: { from: 'param', param: 'id' }, params: { id: 'instance' }, query: { reveal: revealQuery } }, async (c) => {
    const { row, role } = await loadInstance(c, param(c, 'id'));
    const reveal = revealAsked(c, row.estateId);
    const auth = authOf(c);
    const { db, cache } = c.get('deps');
    const pinned = await cache.get(db, auth.tenantId, row.definitionVersionId);
    const actions = availableEvents(pinned.compiled, row.snapshot as unknown as EngineSnapshot, { id: auth.userId, role }).map((a) => ({
      type: a.type, label: a.label, form: a.formId ?? null,
    }));
    // the parameters those forms read, with the estate's values: their texts are filled and their rules run as the server's (#18)
    const formParams = paramsRead(actions.flatMap((a) => (a.form ? [pinned.compiled.formDefinitions.get(a.form)] : [])), pinned.params);
    const open = await db.select().from(tasks).where(and(eq(tasks.tenantId, auth.tenantId), eq(tasks.instanceId, row.id))).orderBy(asc(tasks.createdAt));
    const armed = await db.select({ key: timers.key, event: timers.event, dueAt: timers.dueAt, sla: sql<boolean>`ef_is_sla_timer(${timers.key})` }).from(timers).where(and(eq(timers.tenantId, auth.tenantId), eq(timers.instanceId, row.id), eq(timers.status, 'armed'))).orderBy(asc(timers.dueAt));
    const sla = await clocksOf(db, row, c.get('deps').config.now());
    const [unit] = row.unitId ? await db.select({ label: units.label }).from(units).where(and(eq(units.tenantId, row.tenantId), eq(units.id, row.unitId))) : [];
    const summary = await shownSummary(c, row, unit?.label ?? null, reveal);
    if (summary.personal.revealed) await auditReveal(c, { estateId: row.estateId, target: `instance/${row.id}`, fields: summary.personal.masked, subject: { serial: row.serial, startedBy: row.startedBy, unitId: row.unitId } });
    // who holds each task, by the name colleagues know them by
    const people = await peopleNamed(db, row.tenantId, summary.data, open.map((t) => t.assigneeId));
    // who registered it and whom it is for (first asked owns it, PS-12), by display name
    const parties = await peopleNamed(db, row.tenantId, row.startedBy, row.requestedFor);
    return c.json({
      ...summary,
      startedByName: (row.startedBy && parties[row.startedBy]) ?? null,
      requestedForName: (row.requestedFor && parties[row.requestedFor]) ?? null,
      // the people its data names by id (an assigned technician), by display name
      people,
      title: pinned.compiled.definition.title,
      clocks: sla.clocks,
      clockIssues: sla.issues,
      actions,
      formParams,
      tasks: open.map((t) => ({ ...taskView(t), assigneeName: (t.assigneeId && people[t.assigneeId]) ?? null })),
      timers: armed.map((t) => ({ key: t.key, event: t.event, dueAt: t.dueAt.toISOString(), sla: t.sla })),
    });
  })
  .get('/:id/history', { responses: { 200: S.history }, summary: 'The append-only history: every accepted event with who, when and data; phone and ID numbers masked unless `reveal=1` (personal-data permission; audited)', access: everyone, estate: { from: 'param', param: 'id' }, params: { id: 'instance' }, query: { reveal: revealQuery } }, async (c) => {
    const { row } = await loadInstance(c, param(c, 'id'));
    const reveal = revealAsked(c, row.estateId);
    const { db } = c.get('deps');
    const fields = await personalFieldsOfVersion(c, row.tenantId, row.definitionVersionId);
    const stored = await db.select().from(events).where(and(eq(events.tenantId, row.tenantId), eq(events.instanceId, row.id), historySince(row.startedAt))).orderBy(asc(events.seq));
    const masked: string[] = [];
    const own = ownRequest(c, row);
    const rows = stored.map((e) => {
      if (own) return e;
      const m = maskData(e.data, fields);
      masked.push(...m.masked.map((p) => `${e.seq}/${p}`));
      return reveal ? e : { ...e, data: m.data };
    });
    if (reveal && masked.length) await auditReveal(c, { estateId: row.estateId, target: `instance/${row.id}/history`, fields: masked, subject: { serial: row.serial, startedBy: row.startedBy, unitId: row.unitId } });
    // people are named by their display name, never their username or id: actors, and the ids the data names
    const people = await peopleNamed(db, row.tenantId, rows.map((e) => e.actorId), rows.map((e) => e.data));
    return c.json({
      items: rows.map((e) => ({ seq: e.seq, type: e.type, data: e.data, actorId: e.actorId, actorName: (e.actorId && people[e.actorId]) ?? null, actorRole: e.actorRole, at: e.at.toISOString(), state: e.stateAfter })),
      people,
      personal: { masked, revealed: reveal && masked.length > 0, mayReveal: mayReadPersonal(c, row.estateId) },
    });
  })
  .get('/:id/figures', {
    responses: { 200: S.eventFigures },
    summary: "The figures of the month (#22: PS-8, PS-9, RP-5, SV-1, SV-5) that sending `event` would freeze now: the fields of the event's form marked `figure`, computed from the report rollups for the request's `month`, for the signer to review before signing (sending the event computes them again)",
    access: staff, estate: { from: 'param', param: 'id' }, params: { id: 'instance' }, query: { event: { type: 'string', minLength: 1, maxLength: 64, description: "the event; absent: the first of the request's events whose form holds figures" } },
  }, async (c) => {
    const { row } = await loadInstance(c, param(c, 'id'));
    const { db, cache, config } = c.get('deps');
    const event = c.req.query('event') ?? (await firstFiguredEvent(db, cache, row.tenantId, row.definitionVersionId)) ?? '';
    const data = await eventFigures(db, cache, row.tenantId, row.id, event, config.now());
    const month = (row.snapshot as { context?: { data?: Record<string, unknown> } }).context?.data?.month;
    return c.json({ event, month: typeof month === 'string' ? month : null, data: data ?? {} });
  })
  .post(
    '/:id/events',
    {
      responses: { 200: S.instanceSummary },
      summary: 'Send an event (one transaction; a stale expectedVersion is a 409)',
      access: everyone,
      estate: { from: 'param', param: 'id' },
      params: { id: 'instance' },
      body: { type: 'object', required: ['type'], properties: { type: { type: 'string', minLength: 1 }, data: { type: 'object' }, expectedVersion: { type: 'integer' } } },
      example: { type: 'NOOP', data: {} },
    },
    async (c, { body: { type, data = {}, expectedVersion } }) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('instance', id);
      const auth = authOf(c);
      await authoriseEvent(c, id, type, data);
      // a quote picked from the price list is priced by the server, never by the filler (PS-10)
      const { db, cache, config } = c.get('deps');
      const priced = await pricedEventData(db, cache, auth.tenantId, id, type, data, async (estateId) => estateDate(config.now(), await estateTimeZone(db, auth.tenantId, estateId)));
      // a figure of the month (the monthly statistics, #22) is computed from the rollups by the server and frozen into the history
      const figured = await figuredEventData(db, cache, auth.tenantId, id, type, priced, config.now());
      const result = await sendEvent(deps(c), {
        tenantId: auth.tenantId,
        instanceId: id,
        event: { type, data: figured },
        actor: (estateId) => ({ id: auth.userId, role: requireEstate(c, estateId) }),
        expectedVersion,
        idempotency: withAnswer(c.get('idempotency'), (r) => ({ status: 200, body: writtenSummary(c, r) })),
      });
      return c.json(writtenSummary(c, result.instance));
    },
  );

/**
 * The ids of the newest `n` requests matching `where` over several estates, most recently updated
 * first: each estate's newest `n` read backwards on instances_updated_idx (tenant, estate,
 * updated_at, id), then the newest `n` of those. It costs estates × n index rows, whatever the
 * estates hold.
 */
async function newestAcrossEstates(db: Db, estateIds: readonly string[], where: SQL, n: number): Promise<string[]> {
  const rows = rowsOf<{ id: string }>(await db.execute(sql`
    select p.id from unnest(${uuidArray(estateIds)}) as e(id)
    cross join lateral (
      select ${instances.id} as id, ${instances.updatedAt} as updated from ${instances}
      where ${instances.estateId} = e.id and ${where}
      order by ${instances.updatedAt} desc, ${instances.id} desc limit ${n}) p
    order by p.updated desc, p.id desc limit ${n}`));
  return rows.map((r) => r.id);
}
