import { listDefinitions } from '$lib/designer/definitions-api.ts';
import { designerEstate } from './designer-estate.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estateId = designerEstate(url);
  const items = await listDefinitions(estateId, undefined, fetch);
  return { estateId, items };
};
