import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { DocumentKind } from './ajv.ts';
import { DOCUMENT_KINDS } from './ajv.ts';
import { finding, hasErrors, type Finding } from './finding.ts';
import type { Bundle, Form, Workflow } from './generated/index.ts';
import { parseJson } from './limits.ts';
import { lintDuplicateNotices } from './lint/sla-notices.ts';
import { lintDeadlinesStatedTwice } from './lint/sla-deadlines.ts';
import { prefixClashes } from './serial.ts';
import { documentKind, validateDocument } from './validate-document.ts';

/** One file of a bundle, parsed. `kind` is what `contents` lists it as. */
export type LoadedDocument = { file: string; doc: unknown; kind: DocumentKind; pointer: string };
type Doc = Record<string, unknown>;

/** A bundle folder read from disk: its manifest, every listed document, and problems met while loading. */
export type LoadedBundle = {
  dir: string;
  manifestFile: string;
  manifest: Bundle | undefined;
  documents: LoadedDocument[];
  workflows: Workflow[];
  forms: Form[];
  slas: Doc[];
  calendars: Doc[];
  feeSchedules: Doc[];
  billingPlans: Doc[];
  scenarios: Doc[];
  /** Problems met while reading (missing files, JSON syntax, invalid manifest). */
  loadFindings: Finding[];
};

const MAX_FILES = 500;

async function readJson(path: string, file: string): Promise<{ ok: true; doc: unknown } | { ok: false; findings: Finding[] }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, findings: [finding('missing-file', file, '', `不是文件：${file}`, `Not a file: ${file}`)] };
    if (info.size > 1024 * 1024) return { ok: false, findings: [finding('limit-size', file, '', '文件过大（上限 1 MiB）', 'The file is too large (limit 1 MiB)')] };
    return parseJson(await readFile(path, 'utf8'), file);
  } catch {
    return { ok: false, findings: [finding('missing-file', file, '', `找不到文件：${file}`, `File not found: ${file}`)] };
  }
}

/**
 * Reads `dir/bundle.json` and every file its `contents` lists. Never throws for bad content:
 * problems are returned in `loadFindings`.
 * @example const b = await loadBundle('workflows/lost-and-found'); validateBundle(b)
 */
export async function loadBundle(dir: string): Promise<LoadedBundle> {
  const manifestFile = join(dir, 'bundle.json');
  const bundle: LoadedBundle = { dir, manifestFile, manifest: undefined, documents: [], workflows: [], forms: [], slas: [], calendars: [], feeSchedules: [], billingPlans: [], scenarios: [], loadFindings: [] };
  const m = await readJson(manifestFile, manifestFile);
  if (!m.ok) {
    bundle.loadFindings.push(...m.findings);
    return bundle;
  }
  const manifestFindings = validateDocument(m.doc, { file: manifestFile });
  bundle.loadFindings.push(...manifestFindings);
  const k = documentKind(m.doc, manifestFile);
  if (hasErrors(manifestFindings) || !('kind' in k) || k.kind !== 'bundle') {
    if ('kind' in k && k.kind !== 'bundle') bundle.loadFindings.push(finding('wrong-kind', manifestFile, '/kind', 'bundle.json 的 kind 必须是 "bundle"', 'The kind of bundle.json must be "bundle"'));
    return bundle;
  }
  const manifest = m.doc as Bundle;
  bundle.manifest = manifest;
  const root = resolve(dir);
  for (const [kind, paths] of Object.entries(manifest.contents)) {
    for (const [i, rel] of (paths ?? []).entries()) {
      const file = join(dir, rel);
      if (!resolve(dir, rel).startsWith(root + sep)) {
        bundle.loadFindings.push(finding('missing-file', manifestFile, ['contents', kind, i], `路径 "${rel}" 超出模板包目录`, `Path "${rel}" leaves the bundle folder`));
        continue;
      }
      const r = await readJson(resolve(dir, rel), file);
      if (!r.ok) {
        const missing = r.findings.some((f) => f.rule === 'missing-file');
        bundle.loadFindings.push(...(missing ? [finding('missing-file', manifestFile, ['contents', kind, i], `contents 列出的文件不存在：${rel}`, `File listed in contents does not exist: ${rel}`)] : r.findings));
        continue;
      }
      bundle.documents.push({ file, doc: r.doc, kind: kind as DocumentKind, pointer: `/contents/${kind}/${i}` });
    }
  }
  const listed = new Set(bundle.documents.map((d) => resolve(d.file)));
  for (const extra of await jsonFiles(root)) {
    if (extra !== resolve(manifestFile) && !listed.has(extra) && (await looksLikeDefinition(extra))) {
      const rel = relative(root, extra);
      bundle.loadFindings.push(finding('unlisted-file', join(dir, rel), '', `文件未列入 bundle.json 的 contents，将被忽略`, `File is not listed in the contents of bundle.json and is ignored`, 'warning'));
    }
  }
  for (const d of bundle.documents) {
    const o = d.doc as Doc;
    if (o?.['kind'] !== d.kind) continue;
    switch (d.kind) {
      case 'workflow': bundle.workflows.push(o as unknown as Workflow); break;
      case 'form': bundle.forms.push(o as unknown as Form); break;
      case 'sla' as DocumentKind: bundle.slas.push(o); break;
      case 'calendar' as DocumentKind: bundle.calendars.push(o); break;
      case 'fee-schedule' as DocumentKind: bundle.feeSchedules.push(o); break;
      case 'billing-plan' as DocumentKind: bundle.billingPlans.push(o); break;
      case 'scenario' as DocumentKind: bundle.scenarios.push(o); break;
      default: break;
    }
  }
  return bundle;
}

/** True for a JSON object with a `kind`: other JSON files (test expectations, data) are not definitions. */
async function looksLikeDefinition(path: string): Promise<boolean> {
  const r = await readJson(path, path);
  return r.ok && typeof r.doc === 'object' && r.doc !== null && 'kind' in r.doc;
}

/** `*.json` files under `dir` (skipping dot folders and node_modules), at most MAX_FILES. */
async function jsonFiles(dir: string, depth = 0, out: string[] = []): Promise<string[]> {
  if (depth > 6 || out.length >= MAX_FILES) return out;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await jsonFiles(p, depth + 1, out);
    else if (e.isFile() && e.name.endsWith('.json') && out.length < MAX_FILES) out.push(p);
  }
  return out;
}

const idOf = (doc: unknown): string | undefined => {
  const id = (doc as Doc | null)?.['id'];
  return typeof id === 'string' ? id : undefined;
};

/**
 * Validates every document of a loaded bundle and the references between them: forms, calendars,
 * child workflows, parameters, SLA policies against their workflow (CEL, states, events, params),
 * duplicate ids, kinds matching `contents`; warns where an SLA breach ladder repeats a notice the
 * workflow's own escalation sends for the same clock, and where an SLA goal and the workflow state
 * one deadline's number twice (`deadline-stated-twice`).
 */
export function validateBundle(bundle: LoadedBundle): Finding[] {
  const out: Finding[] = [...bundle.loadFindings];
  if (!bundle.manifest) return out;
  const ids = (kind: string): Set<string> => new Set(bundle.documents.filter((d) => d.kind === kind).map((d) => idOf(d.doc)).filter((x): x is string => x !== undefined));
  const forms = ids('form');
  const calendars = ids('calendar');
  const workflows = ids('workflow');
  const bundleParams = Object.keys(bundle.manifest.parameters ?? {});
  const allParams = new Set([...bundleParams, ...bundle.workflows.flatMap((w) => Object.keys(w.params ?? {}))]);
  const paramDefaults = new Map<string, unknown>([
    ...bundle.workflows.flatMap((w) => Object.entries(w.params ?? {}).map(([k, p]) => [k, p.default] as const)),
    ...Object.entries(bundle.manifest.parameters ?? {}).map(([k, p]) => [k, p.default] as const),
  ]);
  const formFields = new Map(bundle.forms.map((f) => [f.id, new Set(Object.keys(f.schema.properties ?? {}))] as const));
  const formDefs = new Map(bundle.forms.filter((f) => typeof f.id === 'string' && typeof f.layout === 'object' && f.layout !== null).map((f) => [f.id, f] as const));
  const seen = new Map<string, string>();
  const valid = new Map<string, Workflow>();
  // what an SLA may measure: the bundle's workflows that have a machine to walk
  const workflowDefs = new Map(bundle.workflows.filter((w) => typeof w.id === 'string' && typeof w.machine === 'object' && w.machine !== null).map((w) => [w.id, w] as const));
  for (const d of bundle.documents) {
    const declared = (d.doc as Doc | null)?.['kind'];
    if (typeof declared === 'string' && declared !== d.kind && (DOCUMENT_KINDS as readonly string[]).includes(declared)) {
      out.push(finding('wrong-kind', d.file, '/kind', `bundle.json 把此文件列为 "${d.kind}"，但它的 kind 是 "${declared}"`, `bundle.json lists this file as "${d.kind}" but its kind is "${declared}"`));
    }
    if (!(DOCUMENT_KINDS as readonly string[]).includes(d.kind)) {
      out.push(finding('no-schema', d.file, '', `种类 "${d.kind}" 还没有模式（schemas/${d.kind}.schema.json），未校验`, `Kind "${d.kind}" has no schema yet (schemas/${d.kind}.schema.json), not validated`, 'warning'));
      continue;
    }
    const findings = validateDocument(d.doc, {
      file: d.file,
      context: {
        forms,
        calendars,
        workflows,
        formFields,
        formDefs,
        paramDefaults,
        // a workflow sees the bundle's parameters; an SLA those plus its own workflow's (added by the SLA lint)
        params: d.kind === 'workflow' || d.kind === ('sla' as DocumentKind) ? new Set(bundleParams) : allParams,
        ...(d.kind === ('sla' as DocumentKind) ? { workflowDefs } : {}),
      },
    });
    out.push(...findings);
    const id = idOf(d.doc);
    if (id !== undefined) {
      const key = `${d.kind}:${id}`;
      const first = seen.get(key);
      if (first) out.push(finding('duplicate-id', d.file, '/id', `${d.kind} id "${id}" 与 ${first} 重复`, `${d.kind} id "${id}" is also used by ${first}`));
      else seen.set(key, d.file);
    }
    if (d.kind === 'workflow' && !hasErrors(findings) && id !== undefined) valid.set(id, d.doc as Workflow);
  }
  for (const [prefix, ids] of prefixClashes(valid.values())) {
    for (const id of ids) {
      const d = bundle.documents.find((x) => x.kind === 'workflow' && idOf(x.doc) === id)!;
      const others = ids.filter((x) => x !== id).join('、');
      const own = (d.doc as Workflow).serialPrefix !== undefined;
      out.push(finding('duplicate-serial-prefix', d.file, own ? '/serialPrefix' : '/id',
        `工单编号前缀“${prefix}”与流程 ${others} 相同，两者会发出同样的编号：请在 serialPrefix 中为每个流程写不同的前缀`,
        `Serial prefix "${prefix}" is also used by workflow ${others.replace(/、/g, ', ')}: both would issue the same serials; give each workflow its own serialPrefix`));
    }
  }
  for (const d of bundle.documents) {
    const doc = d.doc as Doc | null;
    if (!doc || typeof doc !== 'object') continue;
    if (d.kind === ('sla' as DocumentKind)) {
      // (its schema, CEL, states, events, params and calendars were checked by validateDocument above)
      const wf = typeof doc['workflow'] === 'string' ? workflowDefs.get(doc['workflow']) : undefined;
      if (wf) out.push(...lintDuplicateNotices(doc, wf, d.file), ...lintDeadlinesStatedTwice(doc, wf, d.file, paramDefaults));
    } else if (d.kind !== 'workflow' && d.kind !== 'bundle') {
      const wf = doc['workflow'];
      if (typeof wf === 'string' && !workflows.has(wf)) out.push(finding('unknown-workflow', d.file, '/workflow', `工作流 "${wf}" 不在模板包中`, `Workflow "${wf}" is not in the bundle`));
      const cal = doc['calendar'];
      if (typeof cal === 'string' && d.kind !== ('calendar' as DocumentKind) && !calendars.has(cal) && cal !== 'cn-statutory') out.push(finding('unknown-calendar', d.file, '/calendar', `日历 "${cal}" 未在模板包中声明`, `Calendar "${cal}" is not declared in the bundle`));
    }
  }
  return out;
}

/**
 * Validates a file or a folder: a folder with `bundle.json` is validated as a bundle; other folders
 * are searched (a few levels deep) for bundles and loose definitions (`.json` files with a `kind`).
 * @example const findings = await validatePath('workflows')
 */
export async function validatePath(path: string): Promise<Finding[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return [finding('missing-file', path, '', `找不到文件或目录：${path}`, `No such file or folder: ${path}`)];
  }
  if (info.isFile()) {
    if (basename(path) === 'bundle.json') return validateBundle(await loadBundle(dirname(path)));
    // A file inside a bundle is checked with the bundle's references, reporting only its own findings.
    for (let dir = dirname(path), i = 0; i < 3; i++, dir = dirname(dir)) {
      try {
        await stat(join(dir, 'bundle.json'));
      } catch {
        continue;
      }
      const bundle = await loadBundle(dir);
      const doc = bundle.documents.find((d) => resolve(d.file) === resolve(path));
      if (doc) return validateBundle(bundle).filter((f) => resolve(f.file) === resolve(path));
      break;
    }
    const r = await readJson(path, path);
    return r.ok ? validateDocument(r.doc, { file: path }) : r.findings;
  }
  return validateFolder(path, 0);
}

async function validateFolder(dir: string, depth: number): Promise<Finding[]> {
  try {
    await stat(join(dir, 'bundle.json'));
    return validateBundle(await loadBundle(dir));
  } catch {
    // Not a bundle: look inside.
  }
  if (depth > 6) return [];
  const out: Finding[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await validateFolder(p, depth + 1)));
    else if (e.isFile() && e.name.endsWith('.json')) {
      const r = await readJson(p, p);
      if (!r.ok) out.push(...r.findings);
      else if (r.doc && typeof r.doc === 'object' && 'kind' in r.doc) out.push(...validateDocument(r.doc, { file: p }));
    }
  }
  return out;
}
