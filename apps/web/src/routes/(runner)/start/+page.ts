import { api } from '$lib/api/client.ts';
import type { FormDefinition, ProcessEntry } from '$lib/api/types.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const { items } = await api<{ items: ProcessEntry[] }>('/processes', { fetch });
  const key = url.searchParams.get('process');
  const estateId = url.searchParams.get('estate');
  const chosen = items.find((p) => p.key === key && (!estateId || p.estateId === estateId)) ?? null;
  let form: FormDefinition | null = chosen?.startFormDefinition ?? null;
  if (chosen && !form && chosen.startForm) {
    form = await api<FormDefinition>(`/forms/${encodeURIComponent(chosen.startForm)}?estateId=${encodeURIComponent(chosen.estateId)}`, { fetch });
  }
  return { processes: items, chosen, form };
};
