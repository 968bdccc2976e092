import { api } from '$lib/api/client.ts';
import { workflowTitles } from '$lib/api/runner.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';
import { loadStartable } from '../start/processes.ts';
import type { PageLoad } from './$types';

/** One notice as `GET /api/notices` lists it: a notify or escalate effect the worker delivered. */
export interface Notice {
  id: string;
  instanceId: string | null;
  serial: string | null;
  workflow: string | null;
  kind: 'notify' | 'escalate';
  payload: {
    message?: Text;
    to?: { role?: string; user?: string; resident?: boolean; residents?: 'building' | 'estate' };
    roles?: string[];
    ladder?: string;
    rung?: number;
    sla?: { policy: string; metric: string; kind: 'warning' | 'breach' | 'escalation'; percent?: number };
  };
  status: string;
  createdAt: string;
  deliveredAt: string | null;
}

export type NoticeRow = Notice & { estateId: string; estateName: Text | string; workflowTitle?: Text };

/** The caller's notices in every estate they belong to, newest first. */
export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estates;
  const lists = await Promise.all(estates.map(async (e) =>
    (await api<{ items: Notice[] }>(`/notices?estateId=${e.id}`, { fetch })).items.map((n): NoticeRow => ({ ...n, estateId: e.id, estateName: e.name }))));
  const notices = lists.flat().toSorted((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const titles = new Map<string, Text>();
  // the processes the caller may start (a resident's titles), then the estate's catalogue where readable (staff)
  for (const p of (await loadStartable(session.me?.memberships ?? [], fetch).catch(() => ({ processes: [] }))).processes) titles.set(p.key, p.title);
  for (const [k, v] of await workflowTitles(estates.map((e) => e.id), fetch).catch(() => new Map<string, Text>())) titles.set(k, v);
  for (const n of notices) if (n.workflow) n.workflowTitle = titles.get(n.workflow);
  return { notices, estates: estates.length };
};
