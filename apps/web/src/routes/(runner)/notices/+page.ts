import { listNoticePage } from '$lib/api/notices.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** The caller's notices in every estate they belong to, newest first, with their processes' titles (two calls, however many estates). */
export const load: PageLoad = async ({ parent, fetch }) => {
  await parent(); // the root layout loads the session first
  const first = await listNoticePage(null, fetch);
  return { notices: first.items, nextCursor: first.nextCursor, estates: session.estates.length };
};
