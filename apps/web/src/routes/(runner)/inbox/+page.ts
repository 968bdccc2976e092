import { api } from '$lib/api/client.ts';
import type { TaskRow } from '$lib/api/types.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const started = performance.now();
  const body = await api<{ items: TaskRow[] }>('/tasks', { fetch });
  return { tasks: body.items, fetchedMs: performance.now() - started };
};
