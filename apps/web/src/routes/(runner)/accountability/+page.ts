import { api } from '$lib/api/client.ts';
import type { AccountabilityReport } from '@estateflow/api/schemas';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** One person's row of the month (`GET /api/reports/accountability`, its route schema). */
export type AccountabilityPerson = AccountabilityReport['people'][number];
export type AccountabilityRecord = AccountabilityPerson['records'][number];

/** This month in the estate's zone (YYYY-MM): the report opens on it. */
function thisMonth(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
}

export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  // CP-9: who was held accountable for a complaint handled late, upheld or handled carelessly, per person and month
  const estateId = url.searchParams.get('estate') ?? session.estates[0]?.id ?? '';
  const month = url.searchParams.get('month') || thisMonth(session.timeZoneOf(estateId));
  const report = await api<AccountabilityReport>(`/reports/accountability?${new URLSearchParams({ estateId, month })}`, { fetch });
  return { estateId, month, people: report.people };
};
