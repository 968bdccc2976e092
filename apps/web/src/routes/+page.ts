import { listTasks } from '$lib/api/runner.ts';
import type { TaskRow } from '$lib/api/types.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const tasks = await listTasks(fetch).catch((): TaskRow[] => []);
  return { tasks };
};
