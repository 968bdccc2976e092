import { listTaskPage, taskCounts } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

/** The counts are the server's, over every open task (#21); the list shows the six due first. */
export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  const [first, counts] = await Promise.all([
    listTaskPage(fetch, { limit: 6 }).catch(() => ({ items: [], nextCursor: null })),
    taskCounts(fetch).catch(() => ({ open: 0, overdue: 0 })),
  ]);
  return { tasks: first.items, counts };
};
