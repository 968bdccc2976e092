import { roleCatalogue } from '../services/role-catalogue.ts';
import { readFile } from 'node:fs/promises';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { bundleInstalls, definitionDrafts, definitionVersions, estates, instances, users, type DbOrTx } from '@estateflow/db';
import type { DraftRow } from '../services/publishing.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { authOf, designers, everyone, peopleManagers, requireEstate, requireSomeEstate, Resource, staff } from '../route-table.ts';
import { definitionWords, showsOnTimeFigures, type RoleTitles } from '../services/definition-words.ts';
import { accessibleInstances, isStaff } from '../services/instance-access.ts';
import { policiesFor } from '../services/sla-clocks.ts';
import { jsonValue, rowsOf } from '../store/index.ts';
import type { SlaPolicy } from '@estateflow/sla';
import { mayStart } from './processes.ts';
import { isUuid, param } from '../services/body.ts';
import { checkDefinition, definitionKinds, type DefinitionIssue } from '../services/definition-check.ts';
import { diffJson, estateCalendars, formsAsOf, latestVersion, publishVersion } from '../services/definition-store.ts';
import { publishImpact } from '../services/publish-impact.ts';
import { slaWhatIf } from '../services/sla-what-if.ts';
import { rearmNotice } from '../services/sla-rearm-job.ts';
import { serialPrefixIssues } from '../services/serial-prefixes.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import type { FormDefinition } from '@estateflow/engine';
import { changeList, formsNamed, type Workflow } from '@estateflow/definitions';
import { companySettings, lockedDraft, peopleNames, refuseOwnApproval, refuseStaleSave, reviewOf, setFourEyes } from '../services/publishing.ts';
import { auditAdmin } from '../services/admin-audit.ts';
import * as S from '../schemas/definitions.ts';

/** Versions worded at once by the batch words route (each reads its estate's SLA binding). */
const WORDS_AT_ONCE = 8;

const estateQuery = { estateId: { type: 'string', format: 'uuid' } } as const;

/**
 * A version as the API answers it; `names` (from `peopleNames`) gives the publisher's, drafter's and
 * approver's display names (a missing one reads null).
 */
function versionSummary(v: typeof definitionVersions.$inferSelect, names: Map<string, string> = new Map()) {
  const person = (id: string | null) => (id ? { id, name: names.get(id) ?? null } : null);
  const r = v.review;
  return {
    id: v.id,
    estateId: v.estateId,
    kind: v.kind,
    key: v.key,
    version: v.version,
    title: (v.document as { title?: unknown }).title,
    changeNote: v.changeNote,
    bundle: v.bundleId ? { installId: v.bundleInstallId, id: v.bundleId, version: v.bundleVersion } : null,
    publishedAt: v.publishedAt.toISOString(),
    publishedBy: v.publishedBy,
    review: r ? { fourEyes: r.fourEyes, draftedBy: person(r.draftedBy), draftedAt: r.draftedAt, approvedBy: person(r.approvedBy), approvedAt: r.approvedAt, changes: r.changes } : null,
  };
}
/** Versions with the names of the people behind them, in one look-up. */
async function summaries(db: DbOrTx, tenantId: string, rows: (typeof definitionVersions.$inferSelect)[]) {
  const names = await peopleNames(db, tenantId, rows);
  return rows.map((v) => versionSummary(v, names));
}

/**
 * The words of one published version for the caller's role (one rule for the single and the batch
 * route): staff of its estate read any; a resident, the versions behind their own requests and the
 * processes they may start (403 otherwise).
 */
async function versionWords(c: Context<AppEnv>, row: typeof definitionVersions.$inferSelect, catalogue?: Promise<RoleTitles>, slaOf?: Promise<EstateSla>) {
  const role = requireEstate(c, row.estateId);
  const auth = authOf(c);
  const { db, cache } = c.get('deps');
  if (row.kind !== 'workflow') {
    if (!isStaff(role)) throw wordsRefused();
    const title = (row.document as { title?: unknown }).title;
    return { key: row.key, version: row.version, kind: row.kind, ...(title ? { title } : {}) };
  }
  const pinned = await cache.get(db, auth.tenantId, row.id);
  if (!isStaff(role) && !mayStart(pinned.compiled.definition, role)) {
    const [own] = await db.select({ id: instances.id }).from(instances)
      .where(and(eq(instances.tenantId, auth.tenantId), eq(instances.definitionVersionId, row.id), accessibleInstances(auth, [row.estateId])))
      .limit(1);
    if (!own) throw wordsRefused();
  }
  // the monthly statistics' on-time table names the metrics of every SLA policy of the estate, not only its own
  // (a batch reads them, and each version's bound ones, in one statement, `estatesSla`; one version reads its own)
  const every = showsOnTimeFigures(pinned.compiled);
  const read = slaOf ? (await slaOf).get(slaPick(row.estateId, every ? null : row.key)) : undefined;
  const policies = read ?? (every ? await estatePolicies(db, auth.tenantId, row.estateId) : await policiesFor(db, auth.tenantId, row.estateId, row.key));
  // a field whose value is a role reads as the company's title of that role (isRole)
  return { kind: row.kind, ...definitionWords(pinned, role, policies, await (catalogue ?? roleTitles(db, auth.tenantId))) };
}

/** Every SLA policy of an estate, each key's latest published version (`ef_latest_sla`). */
async function estatePolicies(db: DbOrTx, tenantId: string, estateId: string): Promise<{ key: string; policy: SlaPolicy }[]> {
  return (await estatesSla(db, tenantId, [{ estateId, workflow: null }])).get(slaPick(estateId, null)) ?? [];
}

/** Per estate and workflow (`slaPick`), the SLA policies the words name: `ef_latest_sla`'s, with their documents. */
type EstateSla = Map<string, { key: string; policy: SlaPolicy }[]>;
const slaPick = (estateId: string, workflow: string | null): string => `${estateId}/${workflow ?? '*'}`;

/**
 * The SLA policies of several estates in one statement (the words batch, #21): for each pair, the
 * policies `ef_latest_sla` answers (packages/db/sql/ef_bound_sla.sql, the rule's one definition):
 * those bound to the workflow, or with `workflow: null` every policy of the estate.
 */
async function estatesSla(db: DbOrTx, tenantId: string, picks: { estateId: string; workflow: string | null }[]): Promise<EstateSla> {
  const out: EstateSla = new Map();
  if (!picks.length) return out;
  const rows = rowsOf<{ estateId: string; workflow: string | null; key: string; document: unknown }>(await db.execute(sql`
    select p."estateId", p.workflow, l.key, d.document
    from jsonb_to_recordset(${JSON.stringify(picks)}::jsonb) as p("estateId" uuid, workflow text)
    cross join lateral ef_latest_sla(${tenantId}::uuid, p."estateId", p.workflow) l
    join definition_versions d on d.tenant_id = ${tenantId}::uuid and d.id = l.id
    order by l.key`));
  for (const p of picks) out.set(slaPick(p.estateId, p.workflow), []);
  for (const r of rows) out.get(slaPick(r.estateId, r.workflow))!.push({ key: r.key, policy: jsonValue<SlaPolicy>(r.document as SlaPolicy) });
  return out;
}

/** The company's role titles by key (read once per answer, however many versions it words). */
async function roleTitles(db: DbOrTx, tenantId: string): Promise<RoleTitles> {
  return new Map((await roleCatalogue(db, tenantId)).map((r) => [r.key, r.title]));
}

/** The 403 of a resident asking for the words of a definition behind no request of theirs (zh/en). */
const wordsRefused = (): ApiError => new ApiError('forbidden', {
  zh: '住户只能查看自己事项所用流程的说明，以及可以发起的服务',
  en: 'Residents read the wording of the processes behind their own requests and of the services they may start',
});

async function loadVersion(c: Context<AppEnv>, id: string) {
  if (!isUuid(id)) throw notFound('version', id);
  const { tenantId } = authOf(c);
  const [row] = await c.get('deps').db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.id, id)));
  if (!row) throw notFound('version', id);
  requireEstate(c, row.estateId);
  return row;
}

/**
 * Validates a document against the estate's current forms (so a workflow's form references resolve);
 * an SLA policy against the estate's latest published workflow it names (its params with those of the
 * bundle install it came from) and the estate's calendars.
 */
async function workflowDraft(c: Context<AppEnv>, estateId: string, key: string) {
  const { tenantId } = authOf(c);
  const [d] = await c.get('deps').db.select().from(definitionDrafts)
    .where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId), eq(definitionDrafts.kind, 'workflow'), eq(definitionDrafts.key, key)));
  return d ? { key: d.key, document: d.document, bundleInstallId: null as string | null } : undefined;
}

async function validateIn(c: Context<AppEnv>, estateId: string | undefined, document: unknown, extraForms: FormDefinition[] = [], warnings?: DefinitionIssue[], opts: { draftWorkflow?: boolean } = {}) {
  const { db } = c.get('deps');
  const { tenantId } = authOf(c);
  const forms = estateId ? await formsAsOf(db, tenantId, estateId) : [];
  const doc = document as { kind?: unknown; workflow?: unknown } | null;
  if (doc?.kind === 'workflow') {
    // every role it names is one of the company's; a valid workflow's serial prefix must be its own in the estate
    const roles = new Set((await roleCatalogue(db, tenantId)).map((r) => r.key));
    const issues = checkDefinition(document, [...forms, ...extraForms], { roles }, warnings);
    if (!estateId) return issues;
    return issues.length ? issues : serialPrefixIssues(db, tenantId, estateId, [doc as unknown as Workflow]);
  }
  // every role an SLA policy notifies is one of the company's too
  const roles = doc?.kind === 'sla' ? { roles: new Set((await roleCatalogue(db, tenantId)).map((r) => r.key)) } : {};
  if (!estateId || typeof doc !== 'object' || doc === null || doc.kind !== 'sla' || typeof doc.workflow !== 'string') return checkDefinition(document, [...forms, ...extraForms], roles, warnings);
  const published = await latestVersion(db, tenantId, estateId, 'workflow', doc.workflow);
  // a policy drafted beside a workflow not yet published (the designer's "new SLA") is checked
  // against that workflow's draft; publishing it still needs the workflow published (below)
  const draft = published || !opts.draftWorkflow ? undefined : await workflowDraft(c, estateId, doc.workflow);
  const wf = published ?? draft;
  let params: string[] = [];
  if (wf?.bundleInstallId) {
    const [install] = await db.select({ parameters: bundleInstalls.parameters }).from(bundleInstalls).where(and(eq(bundleInstalls.tenantId, tenantId), eq(bundleInstalls.id, wf.bundleInstallId)));
    params = Object.keys(install?.parameters ?? {});
  }
  const calendars = Object.keys(await estateCalendars(db, tenantId, estateId));
  return checkDefinition(document, [...forms, ...extraForms], {
    params: new Set(params),
    calendars: new Set(calendars),
    workflows: new Map(wf ? [[wf.key, wf.document as unknown as Workflow]] : []),
    ...roles,
  }, warnings);
}

/** The workflow an SLA policy measures, or the forms a workflow names: the designer's list by process. */
function workflowOf(document: unknown): { workflow?: string; forms?: string[] } {
  const d = document as { kind?: unknown; workflow?: unknown };
  if (d.kind === 'sla' && typeof d.workflow === 'string') return { workflow: d.workflow };
  if (d.kind !== 'workflow') return {};
  return { forms: formsNamed(document) };
}


/** Refuses a document that does not pass the server's check (422 naming the first issue's path). */
function refuseInvalid(issues: DefinitionIssue[], estateName?: string): void {
  if (!issues.length) return;
  const where = estateName ? { zh: `（${estateName}）`, en: ` (${estateName})` } : { zh: '', en: '' };
  throw new ApiError('invalid-definition', { zh: `定义无效${where.zh}：${issues[0]!.message.zh}（${issues[0]!.path}）`, en: `Invalid definition${where.en}: ${issues[0]!.message.en} (at ${issues[0]!.path})` }, { path: issues[0]!.path, issues });
}

/**
 * Publishes a checked document as the next version in one estate (inside the caller's transaction):
 * a definition installed from a bundle stays linked to its install, so the estate's parameter values
 * keep winning over the workflow's defaults after the designer publishes a new version; the estate's
 * draft of it is then gone. Answers the version row.
 */
async function publishIn(tx: DbOrTx, input: { tenantId: string; estateId: string; userId: string; document: Record<string, unknown>; changeNote: string; now: Date; draft: DraftRow | undefined }) {
  const kind = String(input.document.kind);
  const key = String(input.document.id);
  const prev = await latestVersion(tx, input.tenantId, input.estateId, kind, key);
  const bundle = prev?.bundleInstallId && prev.bundleId && prev.bundleVersion ? { installId: prev.bundleInstallId, id: prev.bundleId, version: prev.bundleVersion } : undefined;
  // who drafted and who approved, with the change list reviewed (#19): kept with the version
  const review = await reviewOf(tx, { tenantId: input.tenantId, userId: input.userId, draft: input.draft, document: input.document, previous: prev?.document ?? null, now: input.now });
  const row = await publishVersion(tx, { tenantId: input.tenantId, estateId: input.estateId, document: input.document, changeNote: input.changeNote, publishedBy: input.userId, now: input.now, review, ...(bundle ? { bundle } : {}) });
  await tx.delete(definitionDrafts).where(and(eq(definitionDrafts.tenantId, input.tenantId), eq(definitionDrafts.estateId, input.estateId), eq(definitionDrafts.kind, kind), eq(definitionDrafts.key, key)));
  return row;
}

/** The change list of a document against what an estate has published, with role names from the company's catalogue. */
async function changesIn(db: DbOrTx, tenantId: string, estateId: string, document: Record<string, unknown>) {
  const prev = await latestVersion(db, tenantId, estateId, String(document.kind), String(document.id));
  const titles = new Map((await roleCatalogue(db, tenantId)).map((r) => [r.key, r.title]));
  const roleName = (r: string) => titles.get(r) ?? { zh: r, en: r };
  return { prev, changes: changeList(prev?.document ?? null, document, { roleName }) };
}

const documentBody = {
  type: 'object',
  required: ['estateId', 'document'],
  properties: { estateId: { type: 'string', format: 'uuid' }, document: { type: 'object', required: ['kind', 'id'], properties: { kind: { type: 'string' }, id: { type: 'string' } }, additionalProperties: true, description: 'a definition (kind, id, …), see /api/definitions/schemas/{kind}' } },
} as const;

export const definitionRoutes = new Resource('/definitions', 'Definitions')
  .get('/', { responses: { 200: S.definitionList }, summary: 'Definitions of an estate: latest version and draft of each (an SLA policy with the workflow it measures, a workflow with the forms it names)', access: staff, estate: { from: 'query' }, query: { ...estateQuery, kind: { type: 'string' } } }, async (c) => {
    const estateId = c.req.query('estateId');
    requireEstate(c, estateId);
    const { tenantId } = authOf(c);
    const { db } = c.get('deps');
    const kind = c.req.query('kind');
    const versions = await db.select().from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId!), ...(kind ? [eq(definitionVersions.kind, kind)] : [])))
      .orderBy(asc(definitionVersions.kind), asc(definitionVersions.key), desc(definitionVersions.version));
    const drafts = await db.select().from(definitionDrafts)
      .where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId!), ...(kind ? [eq(definitionDrafts.kind, kind)] : [])));
    const items = new Map<string, Record<string, unknown>>();
    const names = await peopleNames(db, tenantId, versions);
    for (const v of versions) {
      const k = `${v.kind}/${v.key}`;
      if (!items.has(k)) items.set(k, { kind: v.kind, key: v.key, title: (v.document as { title?: unknown }).title, ...workflowOf(v.document), latest: versionSummary(v, names), hasDraft: false });
    }
    for (const d of drafts) {
      const k = `${d.kind}/${d.key}`;
      const item = items.get(k) ?? { kind: d.kind, key: d.key, title: (d.document as { title?: unknown }).title, latest: null };
      items.set(k, { ...item, ...workflowOf(d.document), hasDraft: true, draftUpdatedAt: d.updatedAt.toISOString() });
    }
    return c.json({ items: [...items.values()] });
  })
  .post(
    '/validate',
    { responses: { 200: S.validation }, summary: 'Validate a definition without storing it; answers the issues that refuse it and the lint warnings that do not (JSON pointer + zh/en)', access: designers, estate: { from: 'body', optional: true }, body: { type: 'object', required: ['document'], properties: { estateId: { type: ['string', 'null'] }, document: {} } }, example: { document: { kind: 'form', id: 'demo', title: { zh: '示例', en: 'Demo' }, schema: { type: 'object' } } } },
    async (c, { body }) => {
      const estateId = body.estateId ?? undefined;
      if (estateId) requireEstate(c, estateId);
      else requireSomeEstate(c);
      const warnings: DefinitionIssue[] = [];
      const issues = await validateIn(c, estateId, body.document, [], warnings, { draftWorkflow: true });
      return c.json({ valid: issues.length === 0, issues, warnings });
    },
  )
  .post(
    '/impact',
    { responses: { 200: S.impact }, summary: 'How many running requests publishing this document reaches, and how (a workflow: they stay on their version; an SLA policy or calendar: they are re-timed), with the zh/en sentence to show before publishing', access: designers, estate: { from: 'body' }, body: documentBody, example: { document: { kind: 'workflow', id: 'repair' } } },
    async (c, { body: { estateId, document } }) => {
      requireEstate(c, estateId);
      return c.json({ impact: await publishImpact(c.get('deps').db, authOf(c).tenantId, estateId, document) });
    },
  )
  .post(
    '/what-if',
    { responses: { 200: S.whatIf }, summary: "What-if on real history: how the estate's requests of the last 90 days would have fared under a draft SLA policy or calendar next to the published version (met / breached / open / stopped per metric and grade, and the requests that flip). Reads only", access: designers, estate: { from: 'body' }, body: documentBody, example: { document: { kind: 'calendar', id: 'cn-statutory' } } },
    async (c, { body: { estateId, document } }) => {
      requireEstate(c, estateId);
      if (document.kind !== 'sla' && document.kind !== 'calendar') throw invalid('document.kind', 'must be "sla" or "calendar"', '必须是 SLA 策略（sla）或日历（calendar）');
      if (document.kind === 'sla' && typeof (document as { workflow?: unknown }).workflow !== 'string') throw invalid('document.workflow', 'must name the workflow the policy measures', '必须写明策略所衡量的流程');
      const { db, config } = c.get('deps');
      return c.json(await slaWhatIf(db, authOf(c).tenantId, estateId, document, config.now()));
    },
  )
  .put('/drafts', { responses: { 200: S.draftSaved }, summary: "Save the draft of a definition (stored even when invalid; issues are answered). `baseRevision` is the `updatedAt` of the draft the edit began from (null: it began from the published version): a draft saved since by anyone is not overwritten (409 naming who saved it when)", access: designers, estate: { from: 'body' }, body: { ...documentBody, properties: { ...documentBody.properties, baseRevision: { type: ['string', 'null'], format: 'date-time', description: "the draft's updatedAt when the edit began; null: no draft then" } } }, errors: [409], example: { document: { kind: 'form', id: 'demo', title: { zh: '示例', en: 'Demo' }, schema: { type: 'object' } } } }, async (c, { body: { estateId, document, baseRevision } }) => {
    requireEstate(c, estateId);
    const { tenantId, userId } = authOf(c);
    const { db, config } = c.get('deps');
    const now = config.now();
    await db.transaction(async (tx) => {
      const current = await lockedDraft(tx, tenantId, estateId, document.kind, document.id);
      await refuseStaleSave(tx, tenantId, estateId, current, baseRevision);
      await tx.insert(definitionDrafts)
        .values({ tenantId, estateId, kind: document.kind, key: document.id, document, updatedAt: now, updatedBy: userId })
        .onConflictDoUpdate({ target: [definitionDrafts.tenantId, definitionDrafts.estateId, definitionDrafts.kind, definitionDrafts.key], set: { document, updatedAt: now, updatedBy: userId } });
    });
    const warnings: DefinitionIssue[] = [];
    const issues = await validateIn(c, estateId, document, [], warnings, { draftWorkflow: true });
    return c.json({ kind: document.kind, key: document.id, valid: issues.length === 0, issues, warnings, updatedAt: now.toISOString() });
  })
  .get('/drafts/:kind/:key', { responses: { 200: S.draft }, summary: 'The draft of a definition', access: designers, estate: { from: 'query' }, query: estateQuery, pathExample: { kind: 'form', key: 'demo' } }, async (c) => {
    const estateId = c.req.query('estateId');
    requireEstate(c, estateId);
    const { tenantId } = authOf(c);
    const [d] = await c.get('deps').db.select().from(definitionDrafts)
      .where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId!), eq(definitionDrafts.kind, param(c, 'kind')), eq(definitionDrafts.key, param(c, 'key'))));
    if (!d) throw notFound('definition', `${param(c, 'kind')}/${param(c, 'key')}`);
    const [by] = d.updatedBy ? await c.get('deps').db.select({ name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, d.updatedBy))) : [];
    return c.json({ kind: d.kind, key: d.key, document: d.document, updatedAt: d.updatedAt.toISOString(), updatedBy: by?.name ?? null });
  })
  .post(
    '/publish',
    {
      responses: { 200: S.published },
      summary: 'Publish the draft as the next immutable version, with a change note',
      access: designers,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'kind', 'key', 'changeNote'], properties: { estateId: { type: 'string', minLength: 1 }, kind: { type: 'string', enum: [...definitionKinds] }, key: { type: 'string', minLength: 1 }, changeNote: { type: 'string', minLength: 1 }, document: { type: 'object', description: 'publish this document instead of the stored draft' } } },
      example: { kind: 'form', key: 'demo', changeNote: 'first version', document: { kind: 'form', id: 'demo', title: { zh: '示例', en: 'Demo' }, schema: { type: 'object' } } },
    },
    async (c, { body }) => {
      const { estateId, kind, key, changeNote } = body;
      requireEstate(c, estateId);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const [stored] = body.document ? [] : await db.select().from(definitionDrafts)
        .where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId), eq(definitionDrafts.kind, kind), eq(definitionDrafts.key, key)));
      const document: Record<string, unknown> | undefined = body.document ?? stored?.document;
      if (!document) throw notFound('definition', `${kind}/${key}`);
      if (document.kind !== kind || document.id !== key) throw invalid('document', `must have kind "${kind}" and id "${key}"`, `的 kind 与 id 必须为“${kind}”“${key}”`);
      refuseInvalid(await validateIn(c, estateId, document));
      const row = await db.transaction(async (tx) => {
        // four eyes: what is published is the draft as saved (read again under its lock), by someone else
        const draft = await lockedDraft(tx, tenantId, estateId, kind, key);
        await refuseOwnApproval(tx, tenantId, estateId, userId, draft, document);
        return publishIn(tx, { tenantId, estateId, userId, document, changeNote, now: config.now(), draft });
      });
      // an SLA policy or calendar: how many running requests the worker re-times
      const rearm = await rearmNotice(db, row);
      const [summary] = await summaries(db, tenantId, [row]);
      return c.json({ ...summary!, ...(rearm ? { rearm } : {}) });
    },
  )
  .post(
    '/versions/:id/rollback',
    {
      responses: { 200: S.rolledBack },
      summary: 'Roll back to an earlier version: its document is published as the next version (the versions before stay); under the four-eyes rule it becomes the caller\'s draft, for another designer to approve',
      access: designers,
      estate: { from: 'param', param: 'id' },
      body: { type: 'object', required: ['changeNote'], properties: { changeNote: { type: 'string', minLength: 1 } } },
      params: { id: 'definition-version' },
      example: { changeNote: '回滚到 v1' },
    },
    async (c, { body }) => {
      const old = await loadVersion(c, param(c, 'id'));
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const now = config.now();
      if ((await companySettings(db, tenantId)).fourEyes) {
        await db.insert(definitionDrafts)
          .values({ tenantId, estateId: old.estateId, kind: old.kind, key: old.key, document: old.document, updatedAt: now, updatedBy: userId })
          .onConflictDoUpdate({ target: [definitionDrafts.tenantId, definitionDrafts.estateId, definitionDrafts.kind, definitionDrafts.key], set: { document: old.document, updatedAt: now, updatedBy: userId } });
        return c.json({ draftUpdatedAt: now.toISOString(), message: { zh: `v${old.version} 已成为草稿，请另一位设计人员审阅发布`, en: `v${old.version} is now the draft; another designer reviews and publishes it` } });
      }
      refuseInvalid(await validateIn(c, old.estateId, old.document));
      const row = await db.transaction((tx) => publishIn(tx, { tenantId, estateId: old.estateId, userId, document: old.document, changeNote: body.changeNote, now, draft: undefined }));
      const rearm = await rearmNotice(db, row);
      const [summary] = await summaries(db, tenantId, [row]);
      return c.json({ published: { ...summary!, ...(rearm ? { rearm } : {}) }, message: { zh: `已回滚：v${old.version} 的内容发布为 v${row.version}`, en: `Rolled back: v${old.version} is published as v${row.version}` } });
    },
  )
  .get('/publish-rules', { responses: { 200: S.publishRules }, summary: "The company's publishing rules: four-eyes (a publish approved by someone other than its drafter; off by default)", access: designers, estate: { from: 'query' }, query: estateQuery }, async (c) => {
    requireEstate(c, c.req.query('estateId'));
    return c.json({ fourEyes: (await companySettings(c.get('deps').db, authOf(c).tenantId)).fourEyes === true });
  })
  .put('/publish-rules', { responses: { 200: S.publishRules }, summary: "Turn the company's four-eyes rule on or off (people permission; audited as settings.fourEyes)", access: peopleManagers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'fourEyes'], properties: { estateId: { type: 'string', format: 'uuid' }, fourEyes: { type: 'boolean' } } }, example: { fourEyes: true } }, async (c, { body }) => {
    requireEstate(c, body.estateId);
    const { tenantId, userId } = authOf(c);
    const { db, config } = c.get('deps');
    await db.transaction(async (tx) => {
      await setFourEyes(tx, tenantId, body.fourEyes);
      await auditAdmin(tx, { tenantId, actorId: userId, action: 'settings.fourEyes', target: tenantId, estateId: body.estateId, detail: { fourEyes: body.fourEyes }, at: config.now() });
    });
    return c.json({ fourEyes: body.fourEyes });
  })
  .post(
    '/review-estates',
    { responses: { 200: S.estatesReview }, summary: 'One review of a document for several estates: per estate, what it changes against the version published there (in words), why it could not be published there, and how many running requests it reaches', access: designers, estate: { from: 'body' }, body: { type: 'object', required: ['estateId', 'document'], properties: { estateId: { type: 'string', format: 'uuid', description: 'the estate the document was drafted in' }, estateIds: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', format: 'uuid' }, description: 'the estates to publish in (default: estateId alone)' }, document: documentBody.properties.document } }, example: { document: { kind: 'form', id: 'demo', title: { zh: '示例', en: 'Demo' }, schema: { type: 'object' } } } },
    async (c, { body }) => {
      requireEstate(c, body.estateId);
      const { tenantId } = authOf(c);
      const { db } = c.get('deps');
      const items = [];
      for (const id of [...new Set(body.estateIds ?? [body.estateId])]) {
        requireEstate(c, id, designers);
        const [e] = await db.select({ name: estates.name }).from(estates).where(and(eq(estates.tenantId, tenantId), eq(estates.id, id)));
        const { prev, changes } = await changesIn(db, tenantId, id, body.document);
        items.push({ estateId: id, estateName: e?.name ?? '', latestVersion: prev?.version ?? null, changes, issues: await validateIn(c, id, body.document), impact: await publishImpact(db, tenantId, id, body.document) });
      }
      return c.json({ items });
    },
  )
  .post(
    '/publish-estates',
    {
      responses: { 200: S.estatesPublished },
      summary: 'Publish one document to several estates at once, all or none: each estate gets its next version (an estate where it does not pass the check refuses the whole publish, naming the estate). Under the four-eyes rule the document is the draft saved in `estateId` by someone else',
      access: designers,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId', 'kind', 'key', 'changeNote', 'document'], properties: { estateId: { type: 'string', format: 'uuid', description: 'the estate the document was drafted in' }, estateIds: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', format: 'uuid' }, description: 'the estates to publish in (default: estateId alone)' }, kind: { type: 'string', enum: [...definitionKinds] }, key: { type: 'string', minLength: 1 }, changeNote: { type: 'string', minLength: 1 }, document: documentBody.properties.document } },
      example: { kind: 'form', key: 'demo', changeNote: 'first version', document: { kind: 'form', id: 'demo', title: { zh: '示例', en: 'Demo' }, schema: { type: 'object' } } },
    },
    async (c, { body }) => {
      const { estateId, kind, key, changeNote, document } = body;
      requireEstate(c, estateId);
      if (document.kind !== kind || document.id !== key) throw invalid('document', `must have kind "${kind}" and id "${key}"`, `的 kind 与 id 必须为“${kind}”“${key}”`);
      const targets = [...new Set(body.estateIds ?? [estateId])];
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      const names = new Map((await db.select({ id: estates.id, name: estates.name }).from(estates).where(and(eq(estates.tenantId, tenantId), inArray(estates.id, targets)))).map((e) => [e.id, e.name]));
      for (const id of targets) {
        requireEstate(c, id, designers);
        refuseInvalid(await validateIn(c, id, document), names.get(id));
      }
      const now = config.now();
      const rows = await db.transaction(async (tx) => {
        const draft = await lockedDraft(tx, tenantId, estateId, kind, key);
        await refuseOwnApproval(tx, tenantId, estateId, userId, draft, document);
        const out = [];
        // the draft reviewed is the one saved in `estateId`: every estate's version records it
        for (const id of targets) out.push(await publishIn(tx, { tenantId, estateId: id, userId, document, changeNote, now, draft }));
        return out;
      });
      const items = [];
      const people = await peopleNames(db, tenantId, rows);
      for (const row of rows) {
        const rearm = await rearmNotice(db, row);
        items.push({ ...versionSummary(row, people), ...(rearm ? { rearm } : {}) });
      }
      return c.json({ items });
    },
  )
  .get('/versions', { responses: { 200: S.versionList }, summary: 'All published versions of one definition', access: staff, estate: { from: 'query' }, query: { ...estateQuery, kind: { type: 'string' }, key: { type: 'string' } } }, async (c) => {
    const estateId = c.req.query('estateId');
    requireEstate(c, estateId);
    const { tenantId } = authOf(c);
    const kind = c.req.query('kind');
    const key = c.req.query('key');
    const rows = await c.get('deps').db.select().from(definitionVersions)
      .where(and(eq(definitionVersions.tenantId, tenantId), eq(definitionVersions.estateId, estateId!), ...(kind ? [eq(definitionVersions.kind, kind)] : []), ...(key ? [eq(definitionVersions.key, key)] : [])))
      .orderBy(asc(definitionVersions.kind), asc(definitionVersions.key), desc(definitionVersions.version));
    return c.json({ items: await summaries(c.get('deps').db, tenantId, rows) });
  })
  .get('/versions/:id', { responses: { 200: S.versionWithDocument }, summary: 'One published version with its document', access: staff, estate: { from: 'param', param: 'id' }, params: { id: 'definition-version' } }, async (c) => {
    const row = await loadVersion(c, param(c, 'id'));
    const [summary] = await summaries(c.get('deps').db, authOf(c).tenantId, [row]);
    return c.json({ ...summary!, document: row.document });
  })
  .get(
    '/versions/:id/words',
    {
      responses: { 200: S.words },
      summary: "The words people read of a published workflow version (titles of the workflow, its states, events and SLA metrics; labels and option texts of the data fields the caller's role may see, and the names of those it may not; the description, a resident's own where there is one, with the estate's parameters). Staff of the estate read any; a resident, the versions behind their own requests and the processes they may start",
      access: everyone,
      estate: { from: 'param', param: 'id' },
      params: { id: 'definition-version' },
    },
    async (c) => c.json(await versionWords(c, await loadVersion(c, param(c, 'id')))),
  )
  .get(
    '/words',
    {
      responses: { 200: S.wordsBatch },
      summary: "The words of several published versions at once (`versions`: up to 50 ids, comma-separated), for the rows of a list: one call instead of one per version. Each is given as `GET /definitions/versions/{id}/words` gives it; a version the caller may not read, or that does not exist, is left out of `items` and listed in `refused`; a version whose words are word for word another's in `items` (the same workflow installed in several estates) is named in `same` with that version's id instead of being sent again",
      access: everyone,
      estate: { from: 'none' },
      query: { versions: { type: 'string', minLength: 1, maxLength: 50 * 37 } },
      queryRequired: ['versions'],
    },
    async (c) => {
      const ids = [...new Set(c.req.query('versions')!.split(',').map((v) => v.trim()).filter(Boolean))];
      if (ids.length > 50) throw invalid('versions', 'names at most 50 versions', '最多列出 50 个版本');
      const items: Record<string, Awaited<ReturnType<typeof versionWords>>> = {};
      const refused: string[] = [];
      const { tenantId } = authOf(c);
      const valid = ids.filter(isUuid);
      const rows = valid.length
        ? await c.get('deps').db.select().from(definitionVersions).where(and(eq(definitionVersions.tenantId, tenantId), inArray(definitionVersions.id, valid)))
        : [];
      const byId = new Map(rows.map((r) => [r.id, r]));
      const catalogue = roleTitles(c.get('deps').db, tenantId);
      // the SLA policies of every estate asked about, in one statement (not one binding per version)
      const workflows = rows.filter((r) => r.kind === 'workflow' && authOf(c).roles.has(r.estateId));
      const picks = [...new Map([...workflows.map((r) => ({ estateId: r.estateId, workflow: null })), ...workflows.map((r) => ({ estateId: r.estateId, workflow: r.key }))]
        .map((p) => [slaPick(p.estateId, p.workflow), p])).values()];
      const slaOf = estatesSla(c.get('deps').db, tenantId, picks);
      slaOf.catch(() => undefined);
      // a few versions at a time (each reads its SLA binding), not one after the other
      const worded: (Awaited<ReturnType<typeof versionWords>> | undefined)[] = [];
      for (let i = 0; i < ids.length; i += WORDS_AT_ONCE) {
        worded.push(...await Promise.all(ids.slice(i, i + WORDS_AT_ONCE).map(async (id) => {
          const row = byId.get(id);
          if (!row || !authOf(c).roles.has(row.estateId)) return undefined;
          try {
            return await versionWords(c, row, catalogue, slaOf);
          } catch (e) {
            if (!(e instanceof ApiError) || e.status >= 500) throw e;
            return undefined;
          }
        })));
      }
      // the same workflow installed in many estates reads the same: its words are sent once, the other
      // versions name the one they read like (`same`), so a list over 50 estates does not send them 50 times
      const same: Record<string, string> = {};
      const firstOf = new Map<string, string>();
      ids.forEach((id, n) => {
        const w = worded[n];
        if (!w) return void refused.push(id);
        const text = JSON.stringify(w);
        const first = firstOf.get(text);
        if (first) same[id] = first;
        else {
          firstOf.set(text, id);
          items[id] = w;
        }
      });
      return c.json({ items, refused, ...(Object.keys(same).length ? { same } : {}) });
    },
  )
  .get(
    '/versions/:id/diff',
    { responses: { 200: S.versionDiff }, summary: 'What changed from another version (`against`, default the previous one) to this one, as JSON-pointer changes', access: staff, estate: { from: 'param', param: 'id' }, params: { id: 'definition-version' }, query: { against: { type: 'string', format: 'uuid' } } },
    async (c) => {
      const to = await loadVersion(c, param(c, 'id'));
      const againstId = c.req.query('against');
      let from: typeof to | undefined;
      if (againstId) from = await loadVersion(c, againstId);
      else {
        [from] = await c.get('deps').db.select().from(definitionVersions)
          .where(and(eq(definitionVersions.tenantId, to.tenantId), eq(definitionVersions.estateId, to.estateId), eq(definitionVersions.kind, to.kind), eq(definitionVersions.key, to.key), eq(definitionVersions.version, to.version - 1)));
      }
      const names = await peopleNames(c.get('deps').db, authOf(c).tenantId, from ? [from, to] : [to]);
      return c.json({ from: from ? versionSummary(from, names) : null, to: versionSummary(to, names), changes: diffJson(from?.document ?? {}, to.document) });
    },
  )
  .get('/schemas/:kind', { responses: { 200: S.jsonSchemaDocument }, summary: 'The JSON Schema (2020-12) of a definition kind', access: 'signed-in', estate: { from: 'none' }, pathExample: { kind: 'workflow' } }, async (c) => {
    const kind = param(c, 'kind');
    if (!/^[a-z-]+$/.test(kind)) throw notFound('definition', kind);
    const file = new URL(`../../../../schemas/${kind}.schema.json`, import.meta.url);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (!text) throw notFound('definition', `schema ${kind}`);
    return c.json(JSON.parse(text) as object);
  });
