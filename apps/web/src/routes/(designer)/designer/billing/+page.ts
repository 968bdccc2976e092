import { api } from '$lib/api/client.ts';
import type { BillingDocuments } from '@estateflow/api/schemas';
import type { BillingPlan } from '@estateflow/billing';
import { designerEstate } from '../designer-estate.ts';
import type { PageLoad } from './$types';

/** The estate's billing plans (the seed's default plans are offered too). */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent();
  const estateId = designerEstate(url);
  const plans = await api<BillingDocuments>(`/billing/plans?estateId=${estateId}`, { fetch })
    // the plan's reader type (@estateflow/billing): the answer declares the document as a JSON object
    .then((r) => r.items.map((i) => i.document as unknown as BillingPlan))
    .catch(() => [] as BillingPlan[]);
  return { estateId, plans };
};
