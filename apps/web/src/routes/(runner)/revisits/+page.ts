import { listTasksClosedBy } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  // The revisit queue (PS-8, RP-4, CP-7): every open task of my estates that a REVISIT closes (the
  // server filters, page after page, so none is missed beyond the first page), in order of completion.
  const tasks = await listTasksClosedBy('REVISIT', fetch, 'all');
  return { tasks: tasks.toSorted((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '')) };
};
