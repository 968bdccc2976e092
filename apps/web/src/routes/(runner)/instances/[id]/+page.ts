import { getInstance } from '$lib/api/runner.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('app:instance');
  return { instance: await getInstance(params.id, fetch) };
};
