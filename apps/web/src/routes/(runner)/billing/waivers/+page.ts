import { api } from '$lib/api/client.ts';
import type { WaiverList } from '@estateflow/api/schemas';
import { CASHIER_ROLES, type Waiver } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** Fee waivers (减免): asked at the counter, decided by someone else with the finance permission. */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estates.filter((e) => CASHIER_ROLES.includes(session.me?.memberships.find((m) => m.estateId === e.id)?.role ?? ''));
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  if (!estates.some((e) => e.id === estateId)) return { estateId, waivers: [] as Waiver[], finance: false, me: '', forbidden: true };
  const { items } = await api<WaiverList>(`/billing/waivers?estateId=${encodeURIComponent(estateId)}`, { fetch });
  return { estateId, waivers: items, finance: session.can('finance', estateId), me: session.me?.id ?? '', forbidden: false };
};
