import { api, ApiError } from '$lib/api/client.ts';

import type {
  DefinitionList, Draft, DraftSaved, EstatesPublished, EstatesReview, Published, PublishRules, Rearm, RolledBack, Validation, VersionList,
  VersionSummary as VersionAnswer, VersionWithDocument,
} from '@estateflow/api/schemas';

// The definitions routes' answers: types from their route schemas (@estateflow/api/schemas).
/** A finding of the definition check (JSON pointer and zh/en message), as the drafts, validate and review answers carry it. */
export type DefinitionIssue = Validation['issues'][number];
export type VersionSummary = VersionAnswer;
/** Who drafted and who approved a version, when, under the four-eyes rule or not, and the change list reviewed (#19). */
export type VersionReview = NonNullable<VersionSummary['review']>;
/** On publishing an SLA policy or calendar: how many running requests the worker re-times, with the zh/en sentence to show. */
export type RearmNotice = Rearm;
export type DefinitionItem = DefinitionList['items'][number];
export type Change = { path: string; op: 'add' | 'remove' | 'replace'; from?: unknown; to?: unknown };

type Fetch = typeof fetch;

/**
 * The draft revision each edit began from (`updatedAt` of the draft loaded; null: none, the edit
 * began from the published version), by estate/kind/key: every save sends it as `baseRevision`, so
 * a save over a colleague's newer draft is refused (409) instead of silently replacing it (#19).
 */
const revisions = new Map<string, { revision: string | null; by: string | null }>();
const revKey = (estateId: string, kind: string, key: string) => `${estateId}/${kind}/${key}`;
/** Who saved the draft being edited (null: no draft, or no name). */
export const draftSavedBy = (estateId: string, kind: string, key: string): string | null => revisions.get(revKey(estateId, kind, key))?.by ?? null;

export async function listDefinitions(estateId: string, kind?: string, f?: Fetch): Promise<DefinitionItem[]> {
  const qs = new URLSearchParams({ estateId, ...(kind ? { kind } : {}) });
  return (await api<DefinitionList>(`/definitions?${qs}`, { fetch: f })).items;
}

/** The document to edit: the draft if one is stored, else the latest published version, else null. */
export async function loadEditable(estateId: string, kind: string, key: string, f?: Fetch): Promise<{ document: Record<string, unknown> | null; versions: VersionSummary[] }> {
  const [versions, draft] = await Promise.all([
    listVersions(estateId, kind, key, f),
    api<Draft>(`/definitions/drafts/${kind}/${encodeURIComponent(key)}?estateId=${estateId}`, { fetch: f }).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
  ]);
  revisions.set(revKey(estateId, kind, key), { revision: draft?.updatedAt ?? null, by: draft?.updatedBy ?? null });
  if (draft) return { document: draft.document, versions };
  const latest = versions[0];
  if (!latest) return { document: null, versions };
  const v = await api<VersionWithDocument>(`/definitions/versions/${latest.id}`, { fetch: f });
  return { document: v.document, versions };
}

export async function listVersions(estateId: string, kind: string, key: string, f?: Fetch): Promise<VersionSummary[]> {
  const qs = new URLSearchParams({ estateId, kind, key });
  const items = (await api<VersionList>(`/definitions/versions?${qs}`, { fetch: f })).items;
  return items.toSorted((a, b) => b.version - a.version);
}

export async function saveDraft(estateId: string, document: { kind?: unknown; id?: unknown }): Promise<DraftSaved> {
  const k = revKey(estateId, String(document.kind), String(document.id));
  const base = revisions.get(k);
  const r = await api<DraftSaved>('/definitions/drafts', { method: 'PUT', body: { estateId, document, ...(base ? { baseRevision: base.revision } : {}) } });
  revisions.set(k, { revision: r.updatedAt, by: null });
  return r;
}

export function validateOnServer(estateId: string, document: unknown): Promise<Validation> {
  return api('/definitions/validate', { body: { estateId, document } });
}

export async function publish(estateId: string, kind: string, key: string, changeNote: string, document: unknown): Promise<Published> {
  const v = await api<Published>('/definitions/publish', { body: { estateId, kind, key, changeNote, document } });
  // the draft is gone with the publish: the next save starts a new one
  revisions.set(revKey(estateId, kind, key), { revision: null, by: null });
  return v;
}

/** Roll back to an earlier version: published as the next one, or (four-eyes) stored as the caller's draft. */
export async function rollback(versionId: string, changeNote: string, at: { estateId: string; kind: string; key: string }): Promise<RolledBack> {
  const r = await api<RolledBack>(`/definitions/versions/${versionId}/rollback`, { body: { changeNote } });
  revisions.set(revKey(at.estateId, at.kind, at.key), { revision: r.draftUpdatedAt ?? null, by: null });
  return r;
}

/** The company's publishing rules (four-eyes). */
export function publishRules(estateId: string): Promise<PublishRules> {
  return api(`/definitions/publish-rules?estateId=${estateId}`);
}

export type EstateReview = EstatesReview['items'][number];
/** One review of a document for several estates. */
export async function reviewEstates(estateId: string, estateIds: string[], document: unknown): Promise<EstateReview[]> {
  return (await api<EstatesReview>('/definitions/review-estates', { body: { estateId, estateIds, document } })).items;
}
/** Publish one document to several estates at once (all or none). */
export async function publishEstates(estateId: string, estateIds: string[], kind: string, key: string, changeNote: string, document: unknown): Promise<Published[]> {
  const r = await api<EstatesPublished>('/definitions/publish-estates', { body: { estateId, estateIds, kind, key, changeNote, document } });
  if (estateIds.includes(estateId)) revisions.set(revKey(estateId, kind, key), { revision: null, by: null });
  return r.items;
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
      .then((vs) => (vs[0] ? api<VersionWithDocument>(`/definitions/versions/${vs[0].id}`).then((v) => v.document) : null))
      .catch(() => null);
    published.set(k, p);
  }
  return p;
}
