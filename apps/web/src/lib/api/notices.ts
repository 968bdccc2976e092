import { api } from '$lib/api/client.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';

type Fetch = typeof fetch;

/** One notice as `GET /api/notices` lists it: a notify or escalate effect the worker delivered. */
export interface Notice {
  id: string;
  instanceId: string | null;
  serial: string | null;
  workflow: string | null;
  kind: 'notify' | 'escalate';
  payload: {
    message?: Text;
    to?: { role?: string; user?: string; resident?: boolean; residents?: 'building' | 'estate' };
    roles?: string[];
    ladder?: string;
    rung?: number;
    sla?: { policy: string; metric: string; kind: 'warning' | 'breach' | 'escalation'; percent?: number };
  };
  status: string;
  createdAt: string;
  deliveredAt: string | null;
}

export type NoticeRow = Notice & { estateId: string; estateName: Text | string; workflowTitle?: Text; people?: Record<string, string> };

/** The caller's notices in every estate they belong to, newest first. */
export async function listNotices(f?: Fetch): Promise<NoticeRow[]> {
  const lists = await Promise.all(session.estates.map(async (e) =>
    api<{ items: Notice[]; people?: Record<string, string> }>(`/notices?estateId=${e.id}`, { fetch: f }).then(({ items, people }) =>
      items.map((n): NoticeRow => ({ ...n, estateId: e.id, estateName: e.name, ...(people ? { people } : {}) })))));
  return lists.flat().toSorted((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** What a notice is, for its badge and the filter: an SLA clock, an escalation rung, a public notice to residents, or a plain notice. */
export function noticeKind(n: Notice): 'sla' | 'escalate' | 'public' | 'notify' {
  if (n.payload.sla) return 'sla';
  if (n.kind === 'escalate') return 'escalate';
  if (n.payload.to?.residents) return 'public';
  return 'notify';
}
