import { api, withCursor } from '$lib/api/client.ts';
import { wordsOfAll } from '$lib/present/words-api.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';
import type { Notice, NoticeList } from '@estateflow/api/schemas';

type Fetch = typeof fetch;

/** One notice as `GET /api/notices` lists it (a notify or escalate effect the worker delivered), and a page of them: the route's schemas. */
export type { Notice };

export type NoticeRow = Notice & { estateName: Text | string; workflowTitle?: Text; people?: Record<string, string> };

/**
 * A page of the caller's notices in every estate they belong to, newest first (one call, sorted by
 * the server), each with its process's title from the words of the version its request runs on (one
 * batched call for the page's versions, none for versions already seen), and the next page's cursor.
 */
export async function listNoticePage(cursor: string | null, f?: Fetch, limit = 50): Promise<{ items: NoticeRow[]; nextCursor: string | null }> {
  const page = await api<NoticeList>(withCursor(`/notices?limit=${limit}`, cursor), { fetch: f });
  const names = new Map(session.estates.map((e) => [e.id, e.name]));
  const words = await wordsOfAll(page.items.map((n) => n.definitionVersionId), f);
  // the people the notices name by id, by display name ($lib/present readableText)
  const people = page.people;
  return {
    items: page.items.map((n): NoticeRow => {
      const title = n.definitionVersionId ? words[n.definitionVersionId]?.title : undefined;
      return { ...n, estateName: names.get(n.estateId) ?? '', ...(title ? { workflowTitle: title } : {}), ...(people ? { people } : {}) };
    }),
    nextCursor: page.nextCursor ?? null,
  };
}

/** The caller's newest notices in every estate they belong to. */
export async function listNotices(f?: Fetch, limit = 50): Promise<NoticeRow[]> {
  return (await listNoticePage(null, f, limit)).items;
}

/** What a notice is, for its badge and the filter: an SLA clock, an escalation rung, a public notice to residents, or a plain notice. */
export function noticeKind(n: Notice): 'sla' | 'escalate' | 'public' | 'notify' {
  if (n.payload.sla) return 'sla';
  if (n.kind === 'escalate') return 'escalate';
  if (n.payload.to?.residents) return 'public';
  return 'notify';
}
