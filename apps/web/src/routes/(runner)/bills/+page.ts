import { api, ApiError } from '$lib/api/client.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

export type BillRow = {
  id: string; unitId: string; periodId: string; totalFen: number; principalFen: number; principalPaidFen: number;
  lateFeeFen: number; outstandingFen: number; lines?: { description?: unknown; amountFen: number; orderSerial?: string | null }[];
};
export type Arrears = { rows: { unitId: string; unitLabel: string | null; totalFen: number; buckets?: Record<string, number> }[] };

export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estateId = url.searchParams.get('estate') ?? session.estates[0]?.id ?? '';
  const bills = await api<{ asOf: string; items: BillRow[] }>(`/billing/bills?estateId=${estateId}`, { fetch });
  let arrears: Arrears | null = null;
  try {
    if (!session.isResident) arrears = await api<Arrears>(`/billing/arrears?estateId=${estateId}`, { fetch });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) throw e;
  }
  return { estateId, asOf: bills.asOf, bills: bills.items, arrears };
};
