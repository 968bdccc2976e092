import { listTaskPage } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  // the first page (50, earliest due); the page asks for the next ones ("加载更多")
  const { items: tasks, nextCursor } = await listTaskPage(fetch);
  return { tasks, nextCursor };
};
