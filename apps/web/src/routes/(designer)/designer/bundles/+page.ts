import { api } from '$lib/api/client.ts';
import type { BundleCatalogue, RoleList } from '@estateflow/api/schemas';
import { designerEstate } from '../designer-estate.ts';
import type { PageLoad } from './$types';

/** One bundle of the catalogue: its roles, those the company lacks (installing maps each to a company role, or creates it only with consent), and the bundles it needs first. */
export type CatalogueItem = BundleCatalogue['items'][number];

/** A role of the company's catalogue (`GET /api/roles`) a bundle role the company lacks may be mapped to. */
export type CompanyRole = RoleList['items'][number];

/** The catalogue of template bundles, each with the roles it needs and those the company lacks, and the company's roles to map those to. */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent();
  const estateId = designerEstate(url);
  const [{ items }, roles] = await Promise.all([
    api<BundleCatalogue>('/bundles/catalogue', { fetch }),
    api<RoleList>(`/roles?estateId=${encodeURIComponent(estateId)}`, { fetch }),
  ]);
  return { estateId, items, companyRoles: roles.items.filter((r) => r.kind === 'staff') };
};
