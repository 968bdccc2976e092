import { redirect } from '@sveltejs/kit';
import { api, ApiError } from '$lib/api/client.ts';
import { session, toMe, type MeResponse } from '$lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

// The UI is a client-rendered app: every page talks to the same-origin API under /api with the
// session cookie, so the Hono process stays the only server-side owner of data and auth.
export const ssr = false;
export const prerender = false;

export const load: LayoutLoad = async ({ fetch, url }) => {
  if (session.me === null) {
    try {
      session.me = toMe(await api<MeResponse>('/auth/me', { fetch }));
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e;
    }
  }
  if (session.me === null && url.pathname !== '/login') {
    redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return {};
};
