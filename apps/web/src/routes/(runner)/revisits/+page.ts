import { listTasks } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  // The revisit queue (PS-8, RP-4, CP-7): open revisit tasks of my estates, in order of completion.
  const tasks = (await listTasks(fetch, 'all')).filter((t) => /revisit/i.test(t.key ?? '') || (t.events ?? []).some((e) => /REVISIT/.test(e)));
  return { tasks: tasks.toSorted((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '')) };
};
