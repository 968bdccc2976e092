import { and, asc, desc, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { definitionVersions, residentLinkActive, residents, units, type Role } from '@estateflow/db';
import { renderDescription, renderDescriptions } from '@estateflow/definitions';
import type { WorkflowDefinition } from '@estateflow/engine';
import type { AppEnv } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { authOf, everyone, requireEstate, Resource } from '../route-table.ts';
import { param } from '../services/body.ts';
import * as S from '../schemas/processes.ts';

type Text = { zh: string; en: string };

/**
 * Where a process is listed on the start page: the workflow's `category` (set in the designer), else
 * the area of the first requirement it cites (RP-1 → repairs), as grouped in requirements.md.
 */
const categoryOfArea: Record<string, string> = {
  RP: 'repair', PS: 'repair', CP: 'complaint', SV: 'everyday', LF: 'everyday', GN: 'everyday', MI: 'home', RN: 'home', IN: 'safety', SEC: 'safety', BL: 'billing',
};

export function categoryOf(def: { category?: unknown; requirements?: readonly string[] }): string {
  if (typeof def.category === 'string' && def.category) return def.category;
  const area = def.requirements?.[0]?.split('-')[0] ?? '';
  return categoryOfArea[area] ?? 'other';
}

/** Whether `role` may start the workflow: its `start.roles`, or anyone when it names none (as the engine decides). */
export function mayStart(def: Pick<WorkflowDefinition, 'start'>, role: Role): boolean {
  const roles = def.start?.roles as readonly string[] | undefined;
  return !roles || roles.includes(role);
}

/** The latest published version of every workflow of an estate. */
async function latestWorkflows(c: Context<AppEnv>, estateId: string) {
  return c.get('deps').db
    .selectDistinctOn([definitionVersions.key])
    .from(definitionVersions)
    .where(and(eq(definitionVersions.tenantId, authOf(c).tenantId), eq(definitionVersions.estateId, estateId), eq(definitionVersions.kind, 'workflow')))
    .orderBy(asc(definitionVersions.key), desc(definitionVersions.version));
}


export const processRoutes = new Resource('/processes', 'Processes')
  .get(
    '/',
    {
      summary: 'The processes the caller may start in an estate (latest published workflows whose start.roles include their role), with titles, descriptions (a resident reads the resident-facing one; numbers from the estate\'s parameters), category and start form; plus the caller\'s own units there',
      access: everyone,
      estate: { from: 'query' },
      query: { estateId: { type: 'string' } },
      responses: { 200: S.processList },
    },
    async (c) => {
      const estateId = c.req.query('estateId');
      const role = requireEstate(c, estateId);
      const auth = authOf(c);
      const rows = await latestWorkflows(c, estateId!);
      const { db, cache } = c.get('deps');
      const startable = rows
        .map((v) => ({ v, def: v.document as unknown as WorkflowDefinition & { category?: unknown; icon?: unknown } }))
        .filter(({ def }) => mayStart(def, role));
      // residents read the resident-facing description, staff the procedure; both with the estate's parameter values
      const params = await Promise.all(startable.map(({ v }) => cache.get(db, auth.tenantId, v.id).then((p) => p.params)));
      const items = startable
        .map(({ v, def }, n) => ({ v, def, description: role === 'resident' ? (def.residentDescription ?? def.description) : def.description, params: params[n]! }))
        .map(({ v, def, description, params }) => ({
          key: v.key,
          title: def.title as Text,
          ...(description ? { description: renderDescription(description, params) } : {}),
          category: categoryOf(def),
          ...(typeof def.icon === 'string' ? { icon: def.icon } : {}),
          startForm: def.start?.form ?? null,
          version: v.version,
          versionId: v.id,
        }));
      const own = await db
        .select({ id: units.id, label: units.label })
        .from(residents)
        .innerJoin(units, and(eq(units.tenantId, residents.tenantId), eq(units.id, residents.unitId)))
        .where(and(eq(residents.tenantId, auth.tenantId), eq(residents.estateId, estateId!), eq(residents.userId, auth.userId), residentLinkActive(auth.at)))
        .orderBy(asc(units.label));
      return c.json({ items, units: own });
    },
  )
  .get(
    '/:key/form',
    {
      summary: 'The start form of a process the caller may start (the version its latest workflow validates with); 403 when the role may not start it',
      access: everyone,
      estate: { from: 'query' },
      pathExample: { key: 'test-ticket' },
      query: { estateId: { type: 'string' } },
      responses: { 200: S.startForm },
    },
    async (c) => {
      const estateId = c.req.query('estateId');
      const role = requireEstate(c, estateId);
      const key = param(c, 'key');
      const { db, cache } = c.get('deps');
      const [latest] = await db
        .select({ id: definitionVersions.id })
        .from(definitionVersions)
        .where(and(eq(definitionVersions.tenantId, authOf(c).tenantId), eq(definitionVersions.estateId, estateId!), eq(definitionVersions.kind, 'workflow'), eq(definitionVersions.key, key)))
        .orderBy(desc(definitionVersions.version))
        .limit(1);
      if (!latest) throw notFound('process', key);
      const pinned = await cache.get(db, authOf(c).tenantId, latest.id);
      const def = pinned.compiled.definition;
      if (!mayStart(def, role)) {
        throw new ApiError('forbidden', {
          zh: `当前角色（${role}）不能发起“${def.title.zh}”`,
          en: `Your role (${role}) may not start "${def.title.en}"`,
        });
      }
      const formKey = def.start?.form;
      const form = formKey ? pinned.compiled.formDefinitions.get(formKey) : undefined;
      // its labels, help and options in the estate's numbers (a major repair within 7 days, never its placeholder)
      return c.json({ process: key, title: def.title, version: pinned.version, form: form ? renderDescriptions(form, pinned.params) : null });
    },
  );
