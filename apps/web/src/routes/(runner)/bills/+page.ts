import { allPages, api, ApiError, type Page } from '$lib/api/client.ts';
import { BILL_READER_ROLES, BILL_SORTS, CASHIER_ROLES, loadUnit, loadUnitAccount, type Arrears, type BillRow, type UnitAccount, type UnitOption } from '$lib/billing/billing-api.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

export type { BillRow };

const forbidden = (e: unknown) => e instanceof ApiError && e.status === 403;

export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estateId = url.searchParams.get('estate') ?? session.estates[0]?.id ?? '';
  const role = session.me?.memberships.find((m) => m.estateId === estateId)?.role ?? '';
  const staff = BILL_READER_ROLES.includes(role);
  const unitId = url.searchParams.get('unit');
  // the server sorts and pages the list (GET /billing/bills?sort=…): the page shows its order as it comes
  const sort = BILL_SORTS.find((s) => s === url.searchParams.get('sort')) ?? 'period';
  const [bills, arrears, linked] = await Promise.all([
    // staff: the estate's newest page, more on demand; a resident: their household's bills, every page (small by nature)
    api<Page<BillRow> & { asOf: string }>(`/billing/bills?estateId=${estateId}&sort=${sort}${staff ? '' : '&limit=200'}`, { fetch })
      .then(async (first) => (staff || !first.nextCursor ? first : { ...first, items: [...first.items, ...(await allPages<BillRow>(`/billing/bills?estateId=${estateId}&sort=${sort}&limit=200&asOf=${first.asOf}`, { fetch, cursor: first.nextCursor }))], nextCursor: null }))
      .catch((e: unknown) => {
        if (forbidden(e)) return null;
        throw e;
      }),
    staff ? api<Arrears>(`/billing/arrears?estateId=${estateId}`, { fetch }) : Promise.resolve(null),
    // a link such as /bills?unit=<id> opens that unit's account, loaded with the page (not after it shows)
    staff && unitId
      ? Promise.all([loadUnit(estateId, unitId, fetch), loadUnitAccount(estateId, unitId, fetch).catch(() => null)]).then(([unit, account]) => (unit ? { unit, account } : null))
      : Promise.resolve(null as { unit: UnitOption; account: UnitAccount | null } | null),
  ]);
  return {
    estateId,
    sort,
    estateName: session.estates.find((e) => e.id === estateId)?.name ?? '',
    asOf: bills?.asOf ?? '',
    bills: bills?.items ?? [],
    nextCursor: bills?.nextCursor ?? null,
    forbidden: bills === null,
    arrears,
    linked,
    staff,
    cashier: CASHIER_ROLES.includes(role),
    finance: session.can('finance', estateId),
  };
};
