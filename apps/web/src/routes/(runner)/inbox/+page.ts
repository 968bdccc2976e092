import { listTasks, workflowTitles } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  const tasks = await listTasks(fetch);
  const titles = await workflowTitles(tasks.map((t) => t.estateId ?? ''), fetch).catch(() => new Map());
  for (const t of tasks) if (t.workflow) t.workflowTitle = titles.get(t.workflow);
  return { tasks };
};
