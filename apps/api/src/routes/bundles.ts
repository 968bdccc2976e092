import { join } from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { bundleInstalls } from '@estateflow/db';
import { renderDescription, type Text } from '@estateflow/definitions';
import { invalid, notFound } from '../errors.ts';
import { authOf, designers, requireEstate, requireSomeEstate, Resource, staff } from '../route-table.ts';
import { isUuid, param } from '../services/body.ts';
import { bundleRequires, bundleRoles, catalogueIds, checkBundle, installBundle, missingRoles, readBundleFolder, type BundlePackage } from '../services/bundles.ts';
import { roleCatalogue } from '../services/role-catalogue.ts';
import * as S from '../schemas/bundles.ts';

/** A bundle's description in words: `{{params.x}}` filled with the defaults of its and its workflows' parameters. */
function describe(pkg: BundlePackage): unknown {
  const d = pkg.bundle.description as Partial<Text> | undefined;
  if (typeof d?.zh !== 'string' || typeof d.en !== 'string') return d;
  const specs = [pkg.bundle.parameters, ...Object.values(pkg.files).filter((f) => f.kind === 'workflow').map((w) => w.params)];
  const defaults = Object.fromEntries(specs.flatMap((s) => Object.entries(typeof s === 'object' && s !== null ? s : {})).map(([k, spec]) => [k, (spec as { default?: unknown } | null)?.default]));
  return renderDescription({ zh: d.zh, en: d.en }, defaults);
}

function installSummary(i: typeof bundleInstalls.$inferSelect) {
  return { id: i.id, estateId: i.estateId, bundleId: i.bundleId, bundleVersion: i.bundleVersion, source: i.source, parameters: i.parameters, installedAt: i.installedAt.toISOString(), installedBy: i.installedBy };
}

export const bundleRoutes = new Resource('/bundles', 'Bundles')
  .get('/catalogue', { responses: { 200: S.catalogue }, summary: "The template bundles of the `workflows/` catalogue (descriptions read with the default parameter values), each with its check result, the roles it declares and those of them the caller's company lacks", access: designers, estate: { from: 'none' } }, async (c) => {
    requireSomeEstate(c);
    const dir = c.get('deps').config.workflowsDir;
    const known = new Set((await roleCatalogue(c.get('deps').db, authOf(c).tenantId)).map((r) => r.key));
    const items = [];
    for (const id of await catalogueIds(dir)) {
      try {
        const pkg = await readBundleFolder(join(dir, id));
        const issues = checkBundle(pkg);
        items.push({ id, version: pkg.bundle.version, title: pkg.bundle.title, description: describe(pkg), requirements: pkg.bundle.requirements, parameters: pkg.bundle.parameters, roles: bundleRoles(pkg.bundle), missingRoles: missingRoles(pkg.bundle, known).map((r) => r.key), requires: bundleRequires(pkg.bundle), valid: issues.length === 0, issues });
      } catch (e) {
        items.push({ id, valid: false, issues: [{ path: '', message: { zh: `无法读取：${(e as Error).message}`, en: `Cannot read: ${(e as Error).message}` } }] });
      }
    }
    // a bundle another one requires is named by its own title, as the page reads it
    const titles = new Map(items.map((i) => [i.id, 'title' in i ? i.title : undefined]));
    return c.json({ items: items.map((i) => ('requires' in i && i.requires ? { ...i, requires: i.requires.map((r) => ({ ...r, ...(titles.get(r.bundle) ? { title: titles.get(r.bundle) } : {}) })) } : i)) });
  })
  .post(
    '/install',
    {
      responses: { 200: S.installed },
      summary: 'Install a bundle into an estate with parameter values: from the catalogue (`bundleId`) or uploaded (`package` = { bundle, files }); roles the bundle declares that the company lacks are created (with no permission) only with `createRoles: true`, else the install is refused (409) naming them',
      access: designers,
      estate: { from: 'body' },
      body: { type: 'object', required: ['estateId'], properties: { estateId: { type: 'string', minLength: 1 }, bundleId: { type: ['string', 'null'] }, package: { type: 'object', required: ['bundle', 'files'], properties: { bundle: { type: 'object' }, files: { type: 'object' } } }, parameters: { type: 'object' }, serialPrefixes: { type: 'object', description: "the estate's own request-serial prefix per workflow id, over the bundle's serialPrefix (unique in the estate)", additionalProperties: { type: 'string' } }, createRoles: { type: 'boolean', description: 'the admin agrees to create the roles the bundle declares that the company lacks' } } },
      example: { bundleId: 'lost-and-found', parameters: {} },
    },
    async (c, { body }) => {
      const { estateId } = body;
      requireEstate(c, estateId);
      const { tenantId, userId } = authOf(c);
      const { db, config } = c.get('deps');
      let pkg: BundlePackage;
      let source: 'catalogue' | 'upload';
      const bundleId = body.bundleId ?? undefined;
      if (bundleId) {
        if (!(await catalogueIds(config.workflowsDir)).includes(bundleId)) throw notFound('bundle', bundleId);
        pkg = await readBundleFolder(join(config.workflowsDir, bundleId));
        source = 'catalogue';
      } else {
        if (!body.package) throw invalid('package', 'is required when no bundleId is given', '在未给出 bundleId 时为必填');
        pkg = { bundle: body.package.bundle, files: body.package.files as BundlePackage['files'] };
        source = 'upload';
      }
      const parameters = body.parameters ?? {};
      const serialPrefixes = body.serialPrefixes ?? {};
      const result = await db.transaction((tx) => installBundle(tx, { tenantId, estateId, pkg, parameters, serialPrefixes, source, userId, now: config.now(), createRoles: body.createRoles === true }));
      return c.json({ ...installSummary(result.install), versions: result.versions.map((v) => ({ id: v.id, kind: v.kind, key: v.key, version: v.version })) });
    },
  )
  .get('/installs', { responses: { 200: S.installList }, summary: 'Bundles installed in an estate', access: staff, estate: { from: 'query' }, query: { estateId: { type: 'string' } } }, async (c) => {
    const estateId = c.req.query('estateId');
    requireEstate(c, estateId);
    const rows = await c.get('deps').db.select().from(bundleInstalls)
      .where(and(eq(bundleInstalls.tenantId, authOf(c).tenantId), eq(bundleInstalls.estateId, estateId!))).orderBy(desc(bundleInstalls.installedAt));
    return c.json({ items: rows.map(installSummary) });
  })
  .get('/installs/:id/export', { responses: { 200: S.bundlePackage }, summary: 'Export an installed bundle as { bundle, files } (the upload format)', access: designers, estate: { from: 'param', param: 'id' }, params: { id: 'bundle-install' } }, async (c) => {
    const id = param(c, 'id');
    if (!isUuid(id)) throw notFound('bundle', id);
    const [row] = await c.get('deps').db.select().from(bundleInstalls).where(and(eq(bundleInstalls.tenantId, authOf(c).tenantId), eq(bundleInstalls.id, id)));
    if (!row) throw notFound('bundle', id);
    requireEstate(c, row.estateId);
    return c.json({ ...(row.content as object), parameters: row.parameters });
  })
  .get(
    '/installs/:id/params',
    {
      responses: { 200: S.installParams },
      summary: "An install's parameter values and their specs, with the order the bundle's files declare parameters in (read from the catalogue folder when it holds the same version; `order` is null otherwise, as stored documents are jsonb and keep no key order)",
      access: designers,
      estate: { from: 'param', param: 'id' },
      params: { id: 'bundle-install' },
    },
    async (c) => {
      const id = param(c, 'id');
      if (!isUuid(id)) throw notFound('bundle', id);
      const [row] = await c.get('deps').db.select().from(bundleInstalls).where(and(eq(bundleInstalls.tenantId, authOf(c).tenantId), eq(bundleInstalls.id, id)));
      if (!row) throw notFound('bundle', id);
      requireEstate(c, row.estateId);
      const specs = (row.content as Partial<BundlePackage>).bundle?.parameters ?? {};
      const dir = c.get('deps').config.workflowsDir;
      let order: { parameters: string[]; workflows: Record<string, string[]> } | null = null;
      if (row.source === 'catalogue' && (await catalogueIds(dir)).includes(row.bundleId)) {
        // JSON.parse keeps the file's key order, which is the declaration order
        const pkg = await readBundleFolder(join(dir, row.bundleId)).catch(() => null);
        if (pkg && String(pkg.bundle.version) === row.bundleVersion) {
          const keys = (v: unknown) => (typeof v === 'object' && v !== null ? Object.keys(v) : []);
          const workflows = Object.values(pkg.files).filter((d) => d.kind === 'workflow');
          order = { parameters: keys(pkg.bundle.parameters), workflows: Object.fromEntries(workflows.map((w) => [String(w.id), keys(w.params)])) };
        }
      }
      return c.json({ ...installSummary(row), specs, order });
    },
  );
