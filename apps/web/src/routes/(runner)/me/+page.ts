import { allPages, api } from '$lib/api/client.ts';
import { listNotices } from '$lib/api/notices.ts';
import { listInstances, listProcesses, listTasks, workflowTitles } from '$lib/api/runner.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';
import type { BillRow } from '../bills/+page.ts';
import type { PageLoad } from './$types';

/** A resident's page: their requests, what waits for them (sign-offs, revisit answers) and their bills. */
export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  const estateId = session.estates[0]?.id ?? '';
  const [requests, tasks, bills, notices] = await Promise.all([
    listInstances(new URLSearchParams(), fetch),
    listTasks(fetch).catch(() => []),
    session.has('resident', 'finance', 'property_manager', 'admin') && estateId
      ? api<{ asOf: string; items: BillRow[]; nextCursor: string | null }>(`/billing/bills?estateId=${estateId}&limit=200`, { fetch })
        .then(async (first) => ({ asOf: first.asOf, items: first.nextCursor && session.has('resident') ? [...first.items, ...(await allPages<BillRow>(`/billing/bills?estateId=${estateId}&limit=200&asOf=${first.asOf}`, { fetch, cursor: first.nextCursor }))] : first.items }))
        .catch(() => null)
      : Promise.resolve(null),
    listNotices(fetch, 5).catch(() => []),
  ]);
  // titles of the processes: the estate's catalogue where readable, else the processes the user may start
  const titles = new Map<string, Text>();
  for (const p of await listProcesses(fetch).catch(() => [])) titles.set(p.key, p.title);
  for (const [k, v] of await workflowTitles(requests.map((r) => r.estateId), fetch).catch(() => new Map<string, Text>())) titles.set(k, v);
  return { requests: requests.map((r) => ({ ...r, title: r.title ?? titles.get(r.workflow) })), tasks, bills, notices };
};
