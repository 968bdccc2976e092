import { checkParamValue, ROLE_KEY_PATTERN, type ParamSchema } from '@estateflow/definitions';
import { roleCatalogue, saveRole } from './role-catalogue.ts';
import { auditAdmin } from './admin-audit.ts';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { bundleInstalls, type DbOrTx } from '@estateflow/db';
import { prefixClashes, type Workflow } from '@estateflow/definitions';
import type { FormDefinition } from '@estateflow/engine';
import { ApiError, type Text } from '../errors.ts';
import { checkDefinition, type DefinitionIssue } from './definition-check.ts';
import { serialPrefixIssues } from './serial-prefixes.ts';
import { formsAsOf, publishVersion } from './definition-store.ts';

/** A bundle as stored, exported and uploaded: its manifest plus every file by relative path. */
export type BundlePackage = { bundle: Record<string, unknown>; files: Record<string, Record<string, unknown>> };

type ParamSpec = { schema?: ParamSchema; default?: unknown; title?: Text };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a bundle folder (`workflows/<id>/bundle.json` and the files its `contents` list). */
export async function readBundleFolder(dir: string): Promise<BundlePackage> {
  const bundle = JSON.parse(await readFile(join(dir, 'bundle.json'), 'utf8')) as Record<string, unknown>;
  const files: BundlePackage['files'] = {};
  const contents = isObject(bundle.contents) ? bundle.contents : {};
  for (const paths of Object.values(contents)) {
    for (const p of Array.isArray(paths) ? paths : []) {
      if (typeof p !== 'string') continue;
      const safe = normalize(p);
      if (safe.startsWith('..')) continue;
      files[p] = JSON.parse(await readFile(join(dir, safe), 'utf8')) as Record<string, unknown>;
    }
  }
  return { bundle, files };
}

/** The folders of the catalogue that hold a bundle.json. */
export async function catalogueIds(workflowsDir: string): Promise<string[]> {
  const entries = await readdir(workflowsDir).catch(() => [] as string[]);
  const ids: string[] = [];
  for (const e of entries.sort()) {
    if (await stat(join(workflowsDir, e, 'bundle.json')).then(() => true, () => false)) ids.push(e);
  }
  return ids;
}

/** Every problem of a bundle package, each naming the file and JSON pointer. */
/** `roles`: the company's role keys, when installing into one (a workflow naming a role it lacks is refused). */
export function checkBundle(pkg: BundlePackage, estateForms: readonly FormDefinition[] = [], roles?: ReadonlySet<string>): DefinitionIssue[] {
  const { bundle, files } = pkg;
  const issues: DefinitionIssue[] = [];
  if (bundle.kind !== 'bundle') issues.push({ file: 'bundle.json', path: '/kind', message: { zh: 'kind 必须为 bundle', en: 'kind must be "bundle"' } });
  if (typeof bundle.id !== 'string' || !bundle.id) issues.push({ file: 'bundle.json', path: '/id', message: { zh: '缺少 id', en: 'id is missing' } });
  if (typeof bundle.version !== 'string' || !/^\d+\.\d+\.\d+/.test(bundle.version)) {
    issues.push({ file: 'bundle.json', path: '/version', message: { zh: 'version 必须是语义化版本号', en: 'version must be a semantic version' } });
  }
  if (bundle.roles !== undefined && !Array.isArray(bundle.roles)) issues.push({ file: 'bundle.json', path: '/roles', message: { zh: 'roles 必须是列表', en: 'roles must be a list' } });
  (Array.isArray(bundle.roles) ? bundle.roles : []).forEach((r, i) => {
    const key = isObject(r) ? r.key : undefined;
    if (typeof key !== 'string' || !ROLE_KEY_PATTERN.test(key) || key === 'system') issues.push({ file: 'bundle.json', path: `/roles/${i}/key`, message: { zh: '角色键必须是 2–40 位小写字母、数字或下划线，以字母开头，且不能是 system', en: 'a role key must be 2–40 lower-case letters, digits or "_", starting with a letter, and not "system"' } });
    const title = isObject(r) ? r.title : undefined;
    if (!isObject(title) || typeof title.zh !== 'string' || !title.zh.trim() || typeof title.en !== 'string' || !title.en.trim()) issues.push({ file: 'bundle.json', path: `/roles/${i}/title`, message: { zh: '角色需要中文和英文名称', en: 'a role needs a Chinese and an English title' } });
  });
  const contents = isObject(bundle.contents) ? bundle.contents : undefined;
  if (!contents) {
    issues.push({ file: 'bundle.json', path: '/contents', message: { zh: '缺少 contents', en: 'contents is missing' } });
    return issues;
  }
  const bundleForms = Object.values(files).filter((d) => d.kind === 'form') as unknown as FormDefinition[];
  const forms = [...estateForms.filter((f) => !bundleForms.some((b) => b.id === f.id)), ...bundleForms];
  const params = new Set(Object.keys(isObject(bundle.parameters) ? bundle.parameters : {}));
  const calendars = new Set(Object.values(files).filter((d) => d.kind === 'calendar').map((d) => String(d.id)));
  // an SLA policy is checked against the bundle's workflow it measures (CEL, states, events, params)
  const workflows = new Map(Object.values(files).filter((d) => d.kind === 'workflow' && typeof d.id === 'string').map((d) => [d.id as string, d as unknown as Workflow]));
  const allParams = new Set([...params, ...[...workflows.values()].flatMap((w) => Object.keys(w.params ?? {}))]);
  // two workflows of the bundle would number their requests alike
  for (const [prefix, ids] of prefixClashes(workflows.values())) {
    for (const id of ids) {
      const file = Object.entries(files).find(([, d]) => d.kind === 'workflow' && d.id === id)![0];
      issues.push({ file, path: workflows.get(id)!.serialPrefix === undefined ? '/id' : '/serialPrefix', message: { zh: `工单编号前缀“${prefix}”与流程 ${ids.filter((x) => x !== id).join('、')} 相同，请为每个流程写不同的 serialPrefix`, en: `Serial prefix "${prefix}" is also used by workflow ${ids.filter((x) => x !== id).join(', ')}: give each workflow its own serialPrefix` } });
    }
  }
  for (const [kind, paths] of Object.entries(contents)) {
    (Array.isArray(paths) ? paths : []).forEach((p, i) => {
      const doc = typeof p === 'string' ? files[p] : undefined;
      if (!doc) {
        issues.push({ file: 'bundle.json', path: `/contents/${kind}/${i}`, message: { zh: `缺少文件“${String(p)}”`, en: `File "${String(p)}" is missing` } });
        return;
      }
      if (doc.kind !== kind) issues.push({ file: String(p), path: '/kind', message: { zh: `应为 ${kind}`, en: `expected kind "${kind}"` } });
      if (kind === 'scenario') return;
      // a workflow reads the bundle's parameters and its own; forms and other texts may read any workflow's
      for (const issue of checkDefinition(doc, forms, { params: kind === 'workflow' ? params : allParams, calendars, workflows, ...(roles ? { roles } : {}) })) issues.push({ ...issue, file: String(p) });
    });
  }
  return issues;
}

/**
 * The package with an estate's own serial prefixes set on its workflows (`{ repair: 'BX' }`);
 * the documents are checked afterwards like any other. An id the bundle has no workflow for is refused.
 */
export function withSerialPrefixes(pkg: BundlePackage, prefixes: Record<string, unknown>): BundlePackage {
  if (Object.keys(prefixes).length === 0) return pkg;
  const files = { ...pkg.files };
  for (const [id, prefix] of Object.entries(prefixes)) {
    const entry = Object.entries(files).find(([, d]) => d.kind === 'workflow' && d.id === id);
    if (!entry) throw new ApiError('invalid-request', { zh: `模板包没有流程“${id}”，不能为它设编号前缀`, en: `The bundle has no workflow "${id}" to give a serial prefix` }, { field: `serialPrefixes.${id}` });
    files[entry[0]] = { ...entry[1], serialPrefix: prefix };
  }
  return { ...pkg, files };
}

/** Bundle parameter values: defaults filled in, each value checked against its schema. */
export function resolveParameters(bundle: Record<string, unknown>, given: Record<string, unknown>): Record<string, unknown> {
  const specs = (isObject(bundle.parameters) ? bundle.parameters : {}) as Record<string, ParamSpec>;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!(name in specs)) throw new ApiError('invalid-request', { zh: `模板包没有参数“${name}”`, en: `The bundle has no parameter "${name}"` }, { field: `parameters.${name}` });
  }
  for (const [name, spec] of Object.entries(specs)) {
    const v = name in given ? given[name] : spec.default;
    const field = `parameters.${name}`;
    if (v === undefined) throw new ApiError('invalid-request', { zh: `参数“${name}”为必填项`, en: `Parameter "${name}" is required` }, { field });
    // the designer's check, word for word (money limits in yuan)
    const problem = checkParamValue({ name, title: spec.title ?? { zh: name, en: name }, schema: spec.schema ?? {} }, v);
    if (problem) throw new ApiError('invalid-request', problem, { field });
    out[name] = v;
  }
  return out;
}

/** A role a bundle declares it needs (`roles` of its manifest). */
export type BundleRole = { key: string; title: Text; description: Text };

/** The roles a bundle's manifest declares, well-formed ones only (`checkBundle` reports the others). */
export function bundleRoles(bundle: Record<string, unknown>): BundleRole[] {
  return (Array.isArray(bundle.roles) ? bundle.roles : []).filter(isObject).flatMap((r) => {
    const title = isObject(r.title) ? r.title : {};
    const description = isObject(r.description) ? r.description : {};
    if (typeof r.key !== 'string' || !ROLE_KEY_PATTERN.test(r.key) || typeof title.zh !== 'string' || typeof title.en !== 'string') return [];
    return [{ key: r.key, title: { zh: title.zh, en: title.en }, description: { zh: String(description.zh ?? ''), en: String(description.en ?? '') } }];
  });
}

/** The roles a bundle declares that the company's catalogue lacks (`known`: its role keys). */
export const missingRoles = (bundle: Record<string, unknown>, known: ReadonlySet<string>): BundleRole[] => bundleRoles(bundle).filter((r) => !known.has(r.key));

/** The 409 of an install that needs roles the company lacks and has not been allowed to create them (zh/en, naming each). */
export const rolesRefused = (missing: readonly BundleRole[], all: readonly BundleRole[]): ApiError => new ApiError('conflict', {
  zh: `模板包需要公司尚未设立的角色：${missing.map((r) => `${r.title.zh}（${r.key}）`).join('、')}。请同意创建这些角色（createRoles）后再安装`,
  en: `The bundle needs roles your company lacks: ${missing.map((r) => `${r.title.en} (${r.key})`).join(', ')}. Agree to create them (createRoles) to install it`,
}, {
  field: 'createRoles',
  issues: missing.map((r) => ({ path: `/roles/${all.findIndex((x) => x.key === r.key)}`, field: 'bundle.json', message: { zh: `公司没有角色“${r.title.zh}”（${r.key}）`, en: `The company has no role "${r.title.en}" (${r.key})` } })),
});

/**
 * Installs a bundle into an estate: checks every file (nothing is written when one is invalid),
 * records the install with its parameters, and publishes each definition as a new version with
 * the bundle as provenance. Forms go first so workflows compile against them.
 */
/**
 * A bundle's `requires`: each bundle it names must already be installed in the estate (any
 * version), or the install is refused (field `requires`) saying in zh/en which to install first
 * and why (e.g. paid-service prices its quotes from billing-dunning's fee schedule).
 */
export type BundleRequirement = { bundle: string; reason: { zh: string; en: string } };
/** The bundles a manifest says must be installed first, each with its reason. */
export const bundleRequires = (manifest: BundlePackage['bundle']): BundleRequirement[] => (manifest as { requires?: BundleRequirement[] }).requires ?? [];

export async function requireBundles(db: DbOrTx, tenantId: string, estateId: string, manifest: BundlePackage['bundle']): Promise<void> {
  const requires = bundleRequires(manifest);
  if (requires.length === 0) return;
  const installed = new Set((await db.selectDistinct({ id: bundleInstalls.bundleId }).from(bundleInstalls)
    .where(and(eq(bundleInstalls.tenantId, tenantId), eq(bundleInstalls.estateId, estateId)))).map((r) => r.id));
  const missing = requires.filter((r) => !installed.has(r.bundle));
  if (missing.length === 0) return;
  const id = String(manifest.id);
  const title = manifest.title as { zh: string; en: string };
  throw new ApiError(
    'invalid-definition',
    {
      zh: `模板包“${title.zh}”（${id}）需要先安装：${missing.map((m) => `${m.bundle}（${m.reason.zh}）`).join('；')}。请先在本项目安装 ${missing.map((m) => m.bundle).join('、')}，再安装 ${id}。`,
      en: `The bundle "${title.en}" (${id}) needs ${missing.map((m) => `${m.bundle} (${m.reason.en})`).join('; ')} installed first. Install ${missing.map((m) => m.bundle).join(', ')} in this estate, then ${id}.`,
    },
    { field: 'requires', path: '/requires' },
  );
}

export async function installBundle(
  tx: DbOrTx,
  input: {
    tenantId: string; estateId: string; pkg: BundlePackage; parameters: Record<string, unknown>; source: 'catalogue' | 'upload'; userId?: string | undefined; now: Date;
    /** the estate's own serial prefixes for the bundle's workflows, by workflow id (over the bundle's `serialPrefix`) */
    serialPrefixes?: Record<string, unknown> | undefined;
    /** the admin agrees to create the roles the bundle declares and the company lacks (without it, such an install is refused) */
    createRoles?: boolean | undefined;
  },
) {
  input = { ...input, pkg: withSerialPrefixes(input.pkg, input.serialPrefixes ?? {}) };
  await requireBundles(tx, input.tenantId, input.estateId, input.pkg.bundle);
  const estateForms = await formsAsOf(tx, input.tenantId, input.estateId);
  const roles = new Set((await roleCatalogue(tx, input.tenantId)).map((r) => r.key));
  const missing = missingRoles(input.pkg.bundle, roles);
  if (missing.length && !input.createRoles) throw rolesRefused(missing, bundleRoles(input.pkg.bundle));
  // with consent, the install is checked as if they existed; they are created only when it is valid
  for (const r of missing) roles.add(r.key);
  const issues = checkBundle(input.pkg, estateForms, roles);
  if (issues.length === 0) {
    // a prefix another workflow of the estate holds (or once held) would repeat its serials
    const workflows = Object.entries(input.pkg.files).filter(([, d]) => d.kind === 'workflow').map(([file, d]) => ({ ...(d as unknown as Workflow), file }));
    issues.push(...(await serialPrefixIssues(tx, input.tenantId, input.estateId, workflows)));
  }
  if (issues.length) {
    const first = issues[0]!;
    throw new ApiError(
      'invalid-definition',
      { zh: `模板包无效：${first.file ?? ''} ${first.path}：${first.message.zh}`, en: `Invalid bundle: ${first.file ?? ''} at ${first.path}: ${first.message.en}` },
      { path: first.path, field: first.file, issues },
    );
  }
  const parameters = resolveParameters(input.pkg.bundle, input.parameters);
  for (const r of missing) {
    await saveRole(tx, input.tenantId, { ...r, permissions: [] });
    await auditAdmin(tx, { tenantId: input.tenantId, actorId: input.userId ?? null, action: 'roles.save', target: `role/${r.key}`, estateId: input.estateId, at: input.now, detail: { ...r, permissions: [], bundle: String(input.pkg.bundle.id) } });
  }
  const id = randomUUID();
  const bundleId = String(input.pkg.bundle.id);
  const bundleVersion = String(input.pkg.bundle.version);
  const [install] = await tx
    .insert(bundleInstalls)
    .values({ tenantId: input.tenantId, id, estateId: input.estateId, bundleId, bundleVersion, source: input.source, parameters, content: input.pkg as unknown as Record<string, unknown>, installedAt: input.now, installedBy: input.userId })
    .returning();
  const order = ['calendar', 'form', 'sla', 'fee-schedule', 'billing-plan', 'workflow'];
  const docs = Object.values(input.pkg.files).filter((d) => d.kind !== 'scenario').sort((a, b) => order.indexOf(String(a.kind)) - order.indexOf(String(b.kind)));
  const versions = [];
  for (const document of docs) {
    versions.push(
      await publishVersion(tx, {
        tenantId: input.tenantId,
        estateId: input.estateId,
        document,
        changeNote: `Installed from bundle ${bundleId}@${bundleVersion}`,
        publishedBy: input.userId,
        bundle: { installId: id, id: bundleId, version: bundleVersion },
        now: input.now,
      }),
    );
  }
  return { install: install!, versions };
}
