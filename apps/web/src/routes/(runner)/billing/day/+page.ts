import { api, ApiError } from '$lib/api/client.ts';
import { CASHIER_ROLES, type CashierDay, type Reconciliation } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** The cashier's day (日结/交班) for someone at the counter; finance also reads anyone's day and the month (月末对账, PS-7). */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estates.filter((e) => CASHIER_ROLES.includes(session.me?.memberships.find((m) => m.estateId === e.id)?.role ?? ''));
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  if (!estates.some((e) => e.id === estateId)) return { estateId, day: null, month: null, finance: false, forbidden: true };
  const finance = session.can('finance', estateId);
  const q = new URLSearchParams({ estateId });
  for (const k of ['day', 'cashier'] as const) {
    const v = url.searchParams.get(k);
    if (v) q.set(k === 'cashier' ? 'cashierId' : k, v);
  }
  const day = await api<CashierDay>(`/billing/cashier-day?${q}`, { fetch });
  const monthOf = url.searchParams.get('month') ?? day.day.slice(0, 7);
  const month = finance
    ? await api<Reconciliation>(`/billing/reconciliation?estateId=${encodeURIComponent(estateId)}&month=${encodeURIComponent(monthOf)}`, { fetch }).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 403) return null;
        throw e;
      })
    : null;
  return { estateId, day, month, finance, forbidden: false };
};
