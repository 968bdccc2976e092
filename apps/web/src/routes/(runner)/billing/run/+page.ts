import { api, ApiError } from '$lib/api/client.ts';
import { type RunOptions } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estatesWith('finance');
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  if (!estates.some((e) => e.id === estateId)) return { estates, estateId, options: null, forbidden: true };
  const options = await api<RunOptions>(`/billing/run-options?estateId=${encodeURIComponent(estateId)}`, { fetch }).catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 403) return null;
    throw e;
  });
  return { estates, estateId, options, forbidden: options === null };
};
