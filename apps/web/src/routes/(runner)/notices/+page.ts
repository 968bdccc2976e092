import { listNoticePage } from '$lib/api/notices.ts';
import { workflowTitles } from '$lib/api/runner.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';
import { loadStartable } from '../start/processes.ts';
import type { PageLoad } from './$types';

/** The caller's notices in every estate they belong to, newest first, with their processes' titles. */
export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  const first = await listNoticePage(null, fetch);
  const notices = first.items;
  const titles = new Map<string, Text>();
  // the processes the caller may start (a resident's titles), then the estate's catalogue where readable (staff)
  for (const p of (await loadStartable(session.me?.memberships ?? [], fetch).catch(() => ({ processes: [] }))).processes) titles.set(p.key, p.title);
  for (const [k, v] of await workflowTitles(session.estates.map((e) => e.id), fetch).catch(() => new Map<string, Text>())) titles.set(k, v);
  for (const n of notices) if (n.workflow) n.workflowTitle = titles.get(n.workflow);
  return { notices, nextCursor: first.nextCursor, titles, estates: session.estates.length };
};
