import { listTasks } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  const tasks = await listTasks(fetch);
  return { tasks };
};
