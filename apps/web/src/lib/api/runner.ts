import { renderDescriptions } from '@estateflow/definitions';
import { api, ApiError, newIdempotencyKey, withCursor } from './client.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';
import { fromRenderModel } from './render-form.ts';
import { wordsOf, wordsOfAll } from '$lib/present/words-api.ts';
import type { DefinitionList, History, Instance, InstanceDetail, InstanceList, Rendered, TaskCounts, TaskList, VersionWithDocument } from '@estateflow/api/schemas';
import type { FormDefinition } from '../forms/form-document.ts';
import type { InstanceView, ProcessEntry, TaskRow } from './views.ts';

type Fetch = typeof fetch;
type VersionRow = DefinitionList['items'][number];

function estateName(estateId: string | undefined): Text | string | undefined {
  return session.me?.memberships.find((m) => m.estateId === estateId)?.estateName;
}

function toTask(t: TaskRow): TaskRow {
  return { ...t, estateName: estateName(t.estateId) };
}

// Published definitions rarely change while a page is open; keep them for the session.
const documentCache = new Map<string, Promise<Record<string, unknown> | null>>();
const catalogueCache = new Map<string, Promise<VersionRow[]>>();

function catalogue(estateId: string, kind: string, f?: Fetch): Promise<VersionRow[]> {
  const k = `${estateId}/${kind}`;
  let hit = catalogueCache.get(k);
  if (!hit) {
    hit = api<DefinitionList>(`/definitions?estateId=${estateId}&kind=${kind}`, { fetch: f }).then((r) => r.items.filter((i) => i.latest));
    hit.catch(() => catalogueCache.delete(k));
    catalogueCache.set(k, hit);
  }
  return hit;
}

async function publishedDocument(estateId: string, kind: string, key: string, f?: Fetch): Promise<Record<string, unknown> | null> {
  const k = `${estateId}/${kind}/${key}`;
  let hit = documentCache.get(k);
  if (!hit) {
    hit = (async () => {
      const row = (await catalogue(estateId, kind, f)).find((r) => r.key === key);
      if (!row?.latest) return null;
      return (await api<VersionWithDocument>(`/definitions/versions/${row.latest.id}`, { fetch: f })).document;
    })();
    hit.catch(() => documentCache.delete(k));
    documentCache.set(k, hit);
  }
  return hit;
}

/** Inbox rows: open tasks for me and my roles across my estates. */
/**
 * One page of the inbox (earliest due first; `nextCursor` for the next), with the words of the
 * versions on its rows only (the session's cache keeps those already read).
 */
/** The inbox's filters, each applied by the server (GET /api/tasks), so a page holds only matching tasks. */
export type TaskFilters = { estateId?: string; workflow?: string; grade?: string; due?: 'overdue' | 'ok' | 'none'; q?: string; event?: string };

export async function listTaskPage(f?: Fetch, opts: { scope?: 'role' | 'mine' | 'all'; cursor?: string | null; limit?: number } & TaskFilters = {}): Promise<{ items: TaskRow[]; nextCursor: string | null }> {
  const qs = new URLSearchParams({ scope: opts.scope ?? 'role' });
  if (opts.limit) qs.set('limit', String(opts.limit));
  for (const k of ['estateId', 'workflow', 'grade', 'due', 'q', 'event'] as const) {
    const v = opts[k]?.trim();
    if (v) qs.set(k, v);
  }
  const path = `/tasks?${qs}`;
  const { items, nextCursor } = await api<TaskList>(withCursor(path, opts.cursor ?? null), { fetch: f });
  const words = await wordsOfAll(items.map((t) => t.definitionVersionId), f);
  return { items: items.map((t) => ({ ...toTask(t), words: t.definitionVersionId ? words[t.definitionVersionId] : undefined })), nextCursor };
}

/** How many open tasks wait for the caller and how many of them are overdue, counted by the server (all of them, not a page's). */
export function taskCounts(f?: Fetch, scope: 'role' | 'mine' | 'all' = 'role'): Promise<TaskCounts> {
  return api<TaskCounts>(`/tasks/counts?scope=${scope}`, { fetch: f });
}

/** Every open task closed by `event` (the revisit queue: REVISIT), page after page on the server's filter. */
export async function listTasksClosedBy(event: string, f?: Fetch, scope: 'role' | 'mine' | 'all' = 'all'): Promise<TaskRow[]> {
  const out: TaskRow[] = [];
  let cursor: string | null = null;
  do {
    const page = await listTaskPage(f, { scope, limit: 200, event, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Workflow titles by key for the estates in view, to label rows. */
export async function workflowTitles(estateIds: string[], f?: Fetch): Promise<Map<string, Text>> {
  const out = new Map<string, Text>();
  await Promise.all(
    [...new Set(estateIds)].map(async (id) => {
      try {
        for (const r of await catalogue(id, 'workflow', f)) if (r.title) out.set(r.key, r.title);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
    }),
  );
  return out;
}

/** The processes the user may start: published workflows of each estate whose `start.roles` include their role there. */
export async function listProcesses(f?: Fetch): Promise<ProcessEntry[]> {
  const out: ProcessEntry[] = [];
  for (const m of session.me?.memberships ?? []) {
    let rows: VersionRow[];
    try {
      rows = await catalogue(m.estateId, 'workflow', f);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) continue;
      throw e;
    }
    const docs = await Promise.all(rows.map((r) => publishedDocument(m.estateId, 'workflow', r.key, f)));
    rows.forEach((r, i) => {
      const start = (docs[i] as { start?: { form?: string; roles?: string[] } } | null)?.start;
      if (start?.roles && !start.roles.includes(m.role)) return;
      out.push({ key: r.key, estateId: m.estateId, estateName: m.estateName, title: r.title ?? { zh: r.key, en: r.key }, version: r.latest?.version, startForm: start?.form ?? null });
    });
  }
  return out;
}


/**
 * A published form: the document from the definitions catalogue (staff), else, for roles that may
 * not read definitions (residents), rebuilt from `GET /api/forms/:key/render` in the user's language;
 * its labels, help and options read the estate's numbers (`params`: the instance's `formParams`),
 * "大修（不超过 7 天）", never the placeholder.
 */
export async function getForm(estateId: string, key: string, locale: string, params: Record<string, unknown> = {}, f?: Fetch): Promise<FormDefinition | null> {
  const form = await rawForm(estateId, key, locale, f);
  return form && renderDescriptions(form, params);
}

async function rawForm(estateId: string, key: string, locale: string, f?: Fetch): Promise<FormDefinition | null> {
  try {
    return (await publishedDocument(estateId, 'form', key, f)) as FormDefinition | null;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) throw e;
  }
  const { model } = await api<Rendered>(`/forms/${encodeURIComponent(key)}/render?estateId=${encodeURIComponent(estateId)}&locale=${locale}`, { fetch: f });
  return fromRenderModel(model);
}

/**
 * One request with its history. Phone and ID numbers come masked; `reveal` asks them unmasked (a role
 * with the personal-data permission only; the API audits each such read).
 */
export async function getInstance(id: string, f?: Fetch, reveal = false): Promise<InstanceView> {
  const q = reveal ? '?reveal=1' : '';
  const [inst, hist] = await Promise.all([
    api<InstanceDetail>(`/instances/${encodeURIComponent(id)}${q}`, { fetch: f }),
    api<History>(`/instances/${encodeURIComponent(id)}/history${q}`, { fetch: f }),
  ]);
  // the words of the version this request is pinned to, as the caller's role reads them (residents too)
  const words = await wordsOf(inst.definitionVersionId, f);
  return {
    ...inst,
    estateName: estateName(inst.estateId),
    words,
    people: { ...(hist.people ?? {}), ...(inst.people ?? {}) },
    // masked in the data or the history: the reveal button is offered when either has something hidden
    personal: {
      masked: [...(inst.personal?.masked ?? []), ...(hist.personal?.masked ?? [])],
      revealed: !!(inst.personal?.revealed || hist.personal?.revealed),
      mayReveal: !!inst.personal?.mayReveal,
    },
    tasks: (inst.tasks ?? []).map(toTask),
    actions: inst.actions ?? [],
    history: hist.items,
    clocks: inst.clocks ?? [],
    // SLA timers are shown as clocks; the workflow's own timers by their event's title
    timers: (inst.timers ?? []).filter((t) => !t.sla),
  };
}

/** One page of requests (most recently updated first) and the cursor of the next (null on the last). */
export async function listInstancePage(query: URLSearchParams, cursor: string | null, f?: Fetch): Promise<{ items: InstanceView[]; nextCursor: string | null }> {
  const qs = new URLSearchParams(query);
  if (cursor) qs.set('cursor', cursor);
  const page = await api<InstanceList>(`/instances${qs.size ? `?${qs}` : ''}`, { fetch: f });
  // each row in the words of its own version for the caller's role ($lib/present)
  const words = await wordsOfAll(page.items.map((i) => i.definitionVersionId), f);
  return { items: page.items.map((i) => ({ ...i, estateName: estateName(i.estateId), words: i.definitionVersionId ? words[i.definitionVersionId] : undefined })), nextCursor: page.nextCursor ?? null };
}

/** The first page of requests. */
export async function listInstances(query: URLSearchParams, f?: Fetch): Promise<InstanceView[]> {
  return (await listInstancePage(query, null, f)).items;
}

export function startInstance(estateId: string, workflow: string, data: Record<string, unknown>): Promise<Instance> {
  return api<Instance>('/instances', { body: { estateId, workflow, data }, idempotencyKey: newIdempotencyKey() });
}

export function sendEvent(instanceId: string, type: string, data: Record<string, unknown>): Promise<Instance> {
  return api<Instance>(`/instances/${encodeURIComponent(instanceId)}/events`, { body: { type, data }, idempotencyKey: newIdempotencyKey() });
}
