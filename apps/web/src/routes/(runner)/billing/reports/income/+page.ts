import { api, ApiError } from '$lib/api/client.ts';
import { quarterOf, type IncomeSpendingReport, type SpendingList } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** The income-and-spending report (财务收支报表, BL-11) for the owners' committee: ?estate=…&period=2026-Q4 or 2026-H2 (this quarter by default), with its spending entries. */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estatesWith('finance');
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  const period = url.searchParams.get('period') ?? quarterOf(today);
  const year = Number(today.slice(0, 4));
  // this year's and last year's quarters and halves, newest first
  const periods = [year, year - 1].flatMap((y) => [`${y}-H2`, `${y}-Q4`, `${y}-Q3`, `${y}-H1`, `${y}-Q2`, `${y}-Q1`]);
  const base = { estateId, period, periods, today, finance: session.can('finance', estateId) };
  if (!estates.some((e) => e.id === estateId)) return { ...base, report: null, spending: null, error: null, forbidden: true };
  try {
    const e = encodeURIComponent(estateId);
    const report = await api<IncomeSpendingReport>(`/reports/income-spending?estateId=${e}&period=${encodeURIComponent(period)}`, { fetch });
    const spending = await api<SpendingList>(`/reports/spending?estateId=${e}&from=${report.from}&to=${report.to}`, { fetch });
    return { ...base, report, spending, error: null, forbidden: false };
  } catch (err) {
    if (err instanceof ApiError) return { ...base, report: null, spending: null, error: err.text, forbidden: false };
    throw err;
  }
};
