/**
 * Reads a bundle folder (schemas/README.md "bundle"): bundle.json, its workflows and forms, and
 * its scenarios. Files listed in `contents` are read; forms and scenarios are also picked up from
 * their conventional folders.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { FormDefinition, WorkflowDefinition } from '@estateflow/engine';
import type { SlaPolicy } from '@estateflow/sla';
import type { Scenario } from '../scenario/scenario.ts';

export type BundleManifest = {
  id: string;
  version: string;
  parameters?: Record<string, { default?: unknown }>;
  contents?: Record<string, string[]>;
};

export type LoadedBundle = {
  dir: string;
  manifest: BundleManifest;
  workflows: WorkflowDefinition[];
  forms: FormDefinition[];
  slas: SlaPolicy[];
  scenarios: { file: string; scenario: Scenario }[];
};

export class BundleError extends Error {
  constructor(readonly file: string, readonly text: { zh: string; en: string }) {
    super(`${file}: ${text.en}`);
    this.name = 'BundleError';
  }
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new BundleError(file, { zh: `无法读取 JSON：${msg}`, en: `cannot read JSON: ${msg}` });
  }
}

const filesIn = (dir: string, suffix: string) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => join(dir, f)) : [];

export function loadBundle(dirArg: string): LoadedBundle {
  const dir = resolve(dirArg);
  const manifestFile = join(dir, 'bundle.json');
  if (!existsSync(manifestFile)) throw new BundleError(manifestFile, { zh: '找不到 bundle.json', en: 'bundle.json not found' });
  const manifest = readJson<BundleManifest>(manifestFile);
  const listed = (kind: string) => (manifest.contents?.[kind] ?? []).map((f) => join(dir, f));
  const workflowFiles = listed('workflow').length ? listed('workflow') : [join(dir, 'workflow.json')];
  const formFiles = [...new Set([...listed('form'), ...filesIn(join(dir, 'forms'), '.form.json')])];
  const slaFiles = [...new Set([...listed('sla'), ...filesIn(join(dir, 'sla'), '.sla.json')])];
  const scenarioFiles = [...new Set([...listed('scenario'), ...filesIn(join(dir, 'scenarios'), '.scenario.json')])];
  return {
    dir,
    manifest,
    workflows: workflowFiles.map((f) => readJson<WorkflowDefinition>(f)),
    forms: formFiles.map((f) => readJson<FormDefinition>(f)),
    slas: slaFiles.map((f) => readJson<SlaPolicy>(f)),
    scenarios: scenarioFiles.map((f) => ({ file: relative(process.cwd(), f), scenario: readJson<Scenario>(f) })),
  };
}

/** A bundle folder, or a folder of bundle folders (`workflows/`). */
export function findBundles(path: string): string[] {
  const dir = resolve(path);
  if (existsSync(join(dir, 'bundle.json'))) return [dir];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir).sort().map((d) => join(dir, d)).filter((d) => existsSync(join(d, 'bundle.json')));
}

/** Parameter values for a run: workflow defaults, then bundle defaults, then the scenario's. */
export function paramsFor(bundle: LoadedBundle, wf: WorkflowDefinition, own: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(wf.params ?? {})) if (p.default !== undefined) out[k] = p.default;
  for (const [k, p] of Object.entries(bundle.manifest.parameters ?? {})) if (p.default !== undefined) out[k] = p.default;
  return { ...out, ...own };
}
