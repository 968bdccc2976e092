import { api } from '$lib/api/client.ts';
import type { InstanceView } from '$lib/api/types.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:instance');
  const instance = await api<InstanceView>(`/instances/${encodeURIComponent(params.id)}`, { fetch });
  return { instance };
};
