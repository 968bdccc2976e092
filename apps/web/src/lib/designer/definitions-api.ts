import { api, ApiError } from '$lib/api/client.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';

export type DefinitionIssue = { path: string; message: Text };
export type VersionSummary = { id: string; estateId: string; kind: string; key: string; version: number; title?: Text; changeNote: string; publishedAt: string; publishedBy?: string | null };
/** On publishing an SLA policy or calendar: how many running requests the worker re-times, with the zh/en sentence to show. */
export type RearmNotice = { instances: number; message: Text };
export type DefinitionItem = { kind: string; key: string; title?: Text; workflow?: string; forms?: string[]; latest: VersionSummary | null; hasDraft: boolean; draftUpdatedAt?: string };
export type Change = { path: string; op: 'add' | 'remove' | 'replace'; from?: unknown; to?: unknown };

type Fetch = typeof fetch;

export async function listDefinitions(estateId: string, kind?: string, f?: Fetch): Promise<DefinitionItem[]> {
  const qs = new URLSearchParams({ estateId, ...(kind ? { kind } : {}) });
  return (await api<{ items: DefinitionItem[] }>(`/definitions?${qs}`, { fetch: f })).items;
}

/** The document to edit: the draft if one is stored, else the latest published version, else null. */
export async function loadEditable(estateId: string, kind: string, key: string, f?: Fetch): Promise<{ document: Record<string, unknown> | null; versions: VersionSummary[] }> {
  const [versions, draft] = await Promise.all([
    listVersions(estateId, kind, key, f),
    api<{ document: Record<string, unknown> }>(`/definitions/drafts/${kind}/${encodeURIComponent(key)}?estateId=${estateId}`, { fetch: f }).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
  ]);
  if (draft) return { document: draft.document, versions };
  const latest = versions[0];
  if (!latest) return { document: null, versions };
  const v = await api<VersionSummary & { document: Record<string, unknown> }>(`/definitions/versions/${latest.id}`, { fetch: f });
  return { document: v.document, versions };
}

export async function listVersions(estateId: string, kind: string, key: string, f?: Fetch): Promise<VersionSummary[]> {
  const qs = new URLSearchParams({ estateId, kind, key });
  const items = (await api<{ items: VersionSummary[] }>(`/definitions/versions?${qs}`, { fetch: f })).items;
  return items.toSorted((a, b) => b.version - a.version);
}

export function saveDraft(estateId: string, document: unknown): Promise<{ valid: boolean; issues: DefinitionIssue[]; warnings?: DefinitionIssue[] }> {
  return api('/definitions/drafts', { method: 'PUT', body: { estateId, document } });
}

export function validateOnServer(estateId: string, document: unknown): Promise<{ valid: boolean; issues: DefinitionIssue[]; warnings?: DefinitionIssue[] }> {
  return api('/definitions/validate', { body: { estateId, document } });
}

export function publish(estateId: string, kind: string, key: string, changeNote: string, document: unknown): Promise<VersionSummary & { rearm?: RearmNotice }> {
  return api('/definitions/publish', { body: { estateId, kind, key, changeNote, document } });
}

export function diff(versionId: string): Promise<{ from: VersionSummary | null; to: VersionSummary; changes: Change[] }> {
  return api(`/definitions/versions/${versionId}/diff`);
}

/** The latest published document of each key (forms a workflow names, for the shared check), cached per page. */
const published = new Map<string, Promise<Record<string, unknown> | null>>();
export function publishedDocument(estateId: string, kind: string, key: string): Promise<Record<string, unknown> | null> {
  const k = `${estateId}/${kind}/${key}`;
  let p = published.get(k);
  if (!p) {
    p = listVersions(estateId, kind, key)
      .then((vs) => (vs[0] ? api<{ document: Record<string, unknown> }>(`/definitions/versions/${vs[0].id}`).then((v) => v.document) : null))
      .catch(() => null);
    published.set(k, p);
  }
  return p;
}
