import { api } from '$lib/api/client.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { designerEstate } from '../designer-estate.ts';
import type { PageLoad } from './$types';

export type CatalogueItem = {
  id: string; version?: string | number; title?: Text; description?: Text; valid: boolean;
  issues: { path: string; message: Text }[];
  roles?: { key: string; title: Text; description: Text }[];
  /** declared roles the company lacks: installing creates them only with consent */
  missingRoles?: string[];
};

/** The catalogue of template bundles, each with the roles it needs and those the company lacks. */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent();
  const estateId = designerEstate(url);
  const { items } = await api<{ items: CatalogueItem[] }>('/bundles/catalogue', { fetch });
  return { estateId, items };
};
