import { api } from '$lib/api/client.ts';
import type { BillingPlan } from '@estateflow/billing';
import { designerEstate } from '../designer-estate.ts';
import type { PageLoad } from './$types';

/** The estate's billing plans (the seed's default plans are offered too). */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent();
  const estateId = designerEstate(url);
  const plans = await api<{ items: { key: string; document: BillingPlan }[] }>(`/billing/plans?estateId=${estateId}`, { fetch })
    .then((r) => r.items.map((i) => i.document))
    .catch(() => [] as BillingPlan[]);
  return { estateId, plans };
};
