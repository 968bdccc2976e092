import { roleCatalogue } from '../services/role-catalogue.ts';
import { readFile } from 'node:fs/promises';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { bundleInstalls, definitionDrafts, definitionVersions, instances } from '@estateflow/db';
import { ApiError, invalid, notFound } from '../errors.ts';
import { authOf, designers, everyone, requireEstate, requireSomeEstate, Resource, staff } from '../route-table.ts';
import { definitionWords } from '../services/definition-words.ts';
import { accessibleInstances, isStaff } from '../services/instance-access.ts';
import { policiesFor } from '../services/sla-clocks.ts';
import { mayStart } from './processes.ts';
import { isUuid, param } from '../services/body.ts';
import { checkDefinition, definitionKinds, type DefinitionIssue } from '../services/definition-check.ts';
import { diffJson, estateCalendars, formsAsOf, latestVersion, publishVersion } from '../services/definition-store.ts';
import { publishImpact } from '../services/publish-impact.ts';
import { rearmNotice } from '../services/sla-rearm-job.ts';
import { serialPrefixIssues } from '../services/serial-prefixes.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import type { FormDefinition } from '@estateflow/engine';
import { formsNamed, type Workflow } from '@estateflow/definitions';
import * as S from '../schemas/definitions.ts';

const estateQuery = { estateId: { type: 'string', format: 'uuid' } } as const;

function versionSummary(v: typeof definitionVersions.$inferSelect) {
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
  };
}

/**
 * The words of one published version for the caller's role (one rule for the single and the batch
 * route): staff of its estate read any; a resident, the versions behind their own requests and the
 * processes they may start (403 otherwise).
 */
async function versionWords(c: Context<AppEnv>, row: typeof definitionVersions.$inferSelect) {
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
  const policies = await policiesFor(db, auth.tenantId, row.estateId, row.key);
  // a field whose value is a role reads as the company's title of that role (isRole)
  const roles = new Map((await roleCatalogue(db, auth.tenantId)).map((r) => [r.key, r.title]));
  return { kind: row.kind, ...definitionWords(pinned, role, policies, roles) };
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
  if (!estateId || typeof doc !== 'object' || doc === null || doc.kind !== 'sla' || typeof doc.workflow !== 'string') return checkDefinition(document, [...forms, ...extraForms], {}, warnings);
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
  }, warnings);
}

/** The workflow an SLA policy measures, or the forms a workflow names: the designer's list by process. */
function workflowOf(document: unknown): { workflow?: string; forms?: string[] } {
  const d = document as { kind?: unknown; workflow?: unknown };
  if (d.kind === 'sla' && typeof d.workflow === 'string') return { workflow: d.workflow };
  if (d.kind !== 'workflow') return {};
  return { forms: formsNamed(document) };
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
    for (const v of versions) {
      const k = `${v.kind}/${v.key}`;
      if (!items.has(k)) items.set(k, { kind: v.kind, key: v.key, title: (v.document as { title?: unknown }).title, ...workflowOf(v.document), latest: versionSummary(v), hasDraft: false });
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
  .put('/drafts', { responses: { 200: S.draftSaved }, summary: 'Save the draft of a definition (stored even when invalid; issues are answered)', access: designers, estate: { from: 'body' }, body: documentBody, example: { document: { kind: 'form', id: 'demo', title: { zh: '示例', en: 'Demo' }, schema: { type: 'object' } } } }, async (c, { body: { estateId, document } }) => {
    requireEstate(c, estateId);
    const { tenantId, userId } = authOf(c);
    const now = c.get('deps').config.now();
    await c.get('deps').db.insert(definitionDrafts)
      .values({ tenantId, estateId, kind: document.kind, key: document.id, document, updatedAt: now, updatedBy: userId })
      .onConflictDoUpdate({ target: [definitionDrafts.tenantId, definitionDrafts.estateId, definitionDrafts.kind, definitionDrafts.key], set: { document, updatedAt: now, updatedBy: userId } });
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
    return c.json({ kind: d.kind, key: d.key, document: d.document, updatedAt: d.updatedAt.toISOString() });
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
      let document: Record<string, unknown> | undefined = body.document;
      if (!document) {
        const [d] = await db.select().from(definitionDrafts)
          .where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId), eq(definitionDrafts.kind, kind), eq(definitionDrafts.key, key)));
        if (!d) throw notFound('definition', `${kind}/${key}`);
        document = d.document;
      }
      if (document.kind !== kind || document.id !== key) throw invalid('document', `must have kind "${kind}" and id "${key}"`, `的 kind 与 id 必须为“${kind}”“${key}”`);
      const issues = await validateIn(c, estateId, document);
      if (issues.length) {
        throw new ApiError('invalid-definition', { zh: `定义无效：${issues[0]!.message.zh}（${issues[0]!.path}）`, en: `Invalid definition: ${issues[0]!.message.en} (at ${issues[0]!.path})` }, { path: issues[0]!.path, issues });
      }
      // a definition installed from a bundle stays linked to its install, so the estate's parameter
      // values keep winning over the workflow's defaults after the designer publishes a new version
      const prev = await latestVersion(db, tenantId, estateId, kind, key);
      const bundle = prev?.bundleInstallId && prev.bundleId && prev.bundleVersion ? { installId: prev.bundleInstallId, id: prev.bundleId, version: prev.bundleVersion } : undefined;
      const row = await db.transaction((tx) => publishVersion(tx, { tenantId, estateId, document: document!, changeNote, publishedBy: userId, now: config.now(), ...(bundle ? { bundle } : {}) }));
      await db.delete(definitionDrafts).where(and(eq(definitionDrafts.tenantId, tenantId), eq(definitionDrafts.estateId, estateId), eq(definitionDrafts.kind, kind), eq(definitionDrafts.key, key)));
      // an SLA policy or calendar: how many running requests the worker re-times
      const rearm = await rearmNotice(db, row);
      return c.json({ ...versionSummary(row), ...(rearm ? { rearm } : {}) });
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
    return c.json({ items: rows.map(versionSummary) });
  })
  .get('/versions/:id', { responses: { 200: S.versionWithDocument }, summary: 'One published version with its document', access: staff, estate: { from: 'param', param: 'id' }, params: { id: 'definition-version' } }, async (c) => {
    const row = await loadVersion(c, param(c, 'id'));
    return c.json({ ...versionSummary(row), document: row.document });
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
      summary: "The words of several published versions at once (`versions`: up to 50 ids, comma-separated), for the rows of a list: one call instead of one per version. Each is given as `GET /definitions/versions/{id}/words` gives it; a version the caller may not read, or that does not exist, is left out of `items` and listed in `refused`",
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
      for (const id of ids) {
        const row = byId.get(id);
        if (!row || !authOf(c).roles.has(row.estateId)) {
          refused.push(id);
          continue;
        }
        try {
          items[id] = await versionWords(c, row);
        } catch (e) {
          if (!(e instanceof ApiError) || e.status >= 500) throw e;
          refused.push(id);
        }
      }
      return c.json({ items, refused });
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
      return c.json({ from: from ? versionSummary(from) : null, to: versionSummary(to), changes: diffJson(from?.document ?? {}, to.document) });
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
