/**
 * The parameters a workflow runs with in this estate when its running version was installed from a
 * bundle: the install's values (over the workflow's defaults, as the API's compiled cache does),
 * the bundle's own parameter specs, and the declaration order the bundle's files give, if known.
 */
import { api, ApiError } from '$lib/api/client.ts';
import type { Declared } from './params.ts';

export type InstalledParams = {
  installId: string;
  bundleId: string;
  bundleVersion: string;
  installedAt: string;
  /** the install's resolved values, by parameter name */
  values: Record<string, unknown>;
  /** the bundle's parameter specs (schema, default, title), for parameters the workflow does not declare itself */
  specs: Record<string, Declared>;
  /** declaration order: the workflow file's params, then the bundle's; null when the catalogue no longer holds that version */
  order: string[] | null;
};

type InstallParamsAnswer = {
  id: string; bundleId: string; bundleVersion: string; installedAt: string; parameters: Record<string, unknown>;
  specs: Record<string, Declared>; order: { parameters: string[]; workflows: Record<string, string[]> } | null;
};

/** The running version of a workflow: its latest published version, with the install that published it, if any. */
export type RunningVersion = { version: number; bundle?: { installId: string | null; id: string; version: string } | null };

/**
 * Loads the installed parameters of the workflow `key` whose latest published version is `running`;
 * null when that version was not published by a bundle install (the estate then runs it with the
 * workflow's defaults) or when the install cannot be read.
 */
export async function loadInstalled(key: string, running: RunningVersion | undefined, fetcher?: typeof fetch): Promise<InstalledParams | null> {
  const installId = running?.bundle?.installId;
  if (!installId) return null;
  try {
    const a = await api<InstallParamsAnswer>(`/bundles/installs/${encodeURIComponent(installId)}/params`, { fetch: fetcher });
    const wfOrder = a.order?.workflows[key];
    const order = a.order && wfOrder ? [...wfOrder, ...a.order.parameters.filter((p) => !wfOrder.includes(p))] : null;
    return { installId: a.id, bundleId: a.bundleId, bundleVersion: a.bundleVersion, installedAt: a.installedAt, values: a.parameters, specs: a.specs, order };
  } catch (e) {
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return null;
    throw e;
  }
}
