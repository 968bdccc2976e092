import { getInstance } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, params, depends }) => {
  await parent(); // the root layout loads the session first
  depends('app:instance');
  return { instance: await getInstance(params.id, fetch) };
};
