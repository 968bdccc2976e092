import { api } from '$lib/api/client.ts';
import type { BundleCatalogue } from '@estateflow/api/schemas';
import { designerEstate } from '../designer-estate.ts';
import type { PageLoad } from './$types';

/** One bundle of the catalogue: its roles, those the company lacks, and the bundles it needs first. */
export type CatalogueItem = BundleCatalogue['items'][number];

/** The catalogue of template bundles, each with the roles it needs and those the company lacks. */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent();
  const estateId = designerEstate(url);
  const { items } = await api<BundleCatalogue>('/bundles/catalogue', { fetch });
  return { estateId, items };
};
