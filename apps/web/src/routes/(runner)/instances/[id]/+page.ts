import { getInstance } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, params, depends, url }) => {
  await parent(); // the root layout loads the session first
  depends('app:instance');
  // ?reveal=1: the full phone and ID numbers, for a role with the personal-data permission (audited by the API)
  return { instance: await getInstance(params.id, fetch, url.searchParams.get('reveal') === '1') };
};
