import { api, ApiError } from '$lib/api/client.ts';
import { monthOf, type FeeMonthReport } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** The monthly fee report (财务收费报表, BL-9) for the property manager's review: ?estate=…&month=YYYY-MM (this month by default). */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estatesWith('finance');
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  const thisMonth = monthOf(new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }));
  const month = url.searchParams.get('month') ?? thisMonth;
  if (!estates.some((e) => e.id === estateId)) return { estateId, month, thisMonth, report: null, error: null, forbidden: true };
  try {
    const report = await api<FeeMonthReport>(`/reports/fees/monthly?estateId=${encodeURIComponent(estateId)}&month=${encodeURIComponent(month)}`, { fetch });
    return { estateId, month, thisMonth, report, error: null, forbidden: false };
  } catch (e) {
    if (e instanceof ApiError) return { estateId, month, thisMonth, report: null, error: e.text, forbidden: false };
    throw e;
  }
};
