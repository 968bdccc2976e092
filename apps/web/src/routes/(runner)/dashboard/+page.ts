import { api } from '$lib/api/client.ts';
import { workflowTitles } from '$lib/api/runner.ts';
import { monthInstants } from '$lib/present/format.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

export type Summary = {
  byWorkflow: { workflow: string; status: string; count: number }[];
  complaints: { grade: string | null; status: string; count: number }[];
  taskDue: { workflow: string; closed: number; closedOnTime: number; openOverdue: number }[];
};
export type SlaReport = { instances: number; items: { workflow: string; policy: string; metricId: string; met: number; breached: number; running: number; compliance: number | null }[] };
export type RevisitReport = { ended: number; revisited: number; revisitRate: number | null; revisits: number; onSite: number; onSiteShare: number | null; byWorkflow: { workflow: string; ended: number; revisited: number }[] };

export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const estates = session.estates;
  const estateId = url.searchParams.get('estate') ?? estates[0]?.id ?? '';
  const month = url.searchParams.get('month') ?? '';
  const qs = new URLSearchParams({ estateId });
  if (month) {
    // the month in the estate's own zone (its membership's timeZone), not a fixed +08:00
    const { from, to } = monthInstants(month, session.timeZoneOf(estateId));
    qs.set('from', from);
    qs.set('to', to);
  }
  const [summary, sla, revisits, titles] = await Promise.all([
    api<Summary>(`/reports/summary?${qs}`, { fetch }),
    api<SlaReport>(`/reports/sla?${qs}`, { fetch }),
    api<RevisitReport>(`/reports/revisits?${qs}`, { fetch }),
    workflowTitles([estateId], fetch).catch(() => new Map()),
  ]);
  return { estateId, month, summary, sla, revisits, titles };
};
