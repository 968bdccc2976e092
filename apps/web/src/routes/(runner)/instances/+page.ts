import { api } from '$lib/api/client.ts';
import type { InstanceView } from '$lib/api/types.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const status = url.searchParams.get('status') ?? '';
  const q = url.searchParams.get('q') ?? '';
  const qs = new URLSearchParams();
  if (status) qs.set('status', status);
  if (q) qs.set('q', q);
  const body = await api<{ items: InstanceView[] }>(`/instances${qs.size ? `?${qs}` : ''}`, { fetch });
  return { items: body.items, status, q };
};
