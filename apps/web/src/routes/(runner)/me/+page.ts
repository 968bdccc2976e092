import { allPages, api } from '$lib/api/client.ts';
import type { BillList, ResidentLinkList } from '@estateflow/api/schemas';
import { listNotices } from '$lib/api/notices.ts';
import { listInstances, listTasks } from '$lib/api/runner.ts';
import { session } from '$lib/session.svelte.ts';
import type { BillRow } from '../bills/+page.ts';
import type { PageLoad } from './$types';

/** A resident's page: their homes, their requests, what waits for them (sign-offs, revisit answers) and their bills. */
export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  const estateId = session.estates[0]?.id ?? '';
  const [requests, tasks, bills, notices, links] = await Promise.all([
    listInstances(new URLSearchParams(), fetch),
    listTasks(fetch).catch(() => []),
    session.has('resident', 'finance', 'property_manager', 'admin') && estateId
      ? api<BillList>(`/billing/bills?estateId=${estateId}&limit=200`, { fetch })
        .then(async (first) => ({ asOf: first.asOf, items: first.nextCursor && session.has('resident') ? [...first.items, ...(await allPages<BillRow>(`/billing/bills?estateId=${estateId}&limit=200&asOf=${first.asOf}`, { fetch, cursor: first.nextCursor }))] : first.items }))
        .catch(() => null)
      : Promise.resolve(null),
    listNotices(fetch, 5).catch(() => []),
    api<ResidentLinkList>('/residents/mine', { fetch }).then((r) => r.items),
  ]);
  // each row names its process, state and unit in the words of its own version ($lib/present)
  return { requests, tasks, bills, notices, links };
};
