import { listDefinitions } from '$lib/designer/definitions-api.ts';
import { designerEstate } from './designer-estate.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const estateId = designerEstate(url);
  const items = await listDefinitions(estateId, undefined, fetch);
  return { estateId, items };
};
