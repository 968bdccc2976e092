import { api } from '$lib/api/client.ts';
import { CASHIER_ROLES, type DepositList } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** Deposits (押金, e.g. 装修押金): taken at the counter, held, then refunded or forfeited with a reason by finance. */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estates.filter((e) => CASHIER_ROLES.includes(session.me?.memberships.find((m) => m.estateId === e.id)?.role ?? ''));
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  if (!estates.some((e) => e.id === estateId)) return { estateId, list: null, finance: false, forbidden: true };
  const list = await api<DepositList>(`/billing/deposits?estateId=${encodeURIComponent(estateId)}`, { fetch });
  return { estateId, list, finance: session.can('finance', estateId), forbidden: false };
};
