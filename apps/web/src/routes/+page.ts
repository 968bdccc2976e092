import { api } from '$lib/api/client.ts';
import type { TaskRow } from '$lib/api/types.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const body = await api<{ items: TaskRow[] }>('/tasks', { fetch }).catch(() => ({ items: [] as TaskRow[] }));
  return { tasks: body.items };
};
