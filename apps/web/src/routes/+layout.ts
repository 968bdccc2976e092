import { redirect } from '@sveltejs/kit';
import { goto } from '$app/navigation';
import { api, ApiError } from '$lib/api/client.ts';
import { session, toMe, type Me, type MeResponse } from '$lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

// The UI is a client-rendered app: every page talks to the same-origin API under /api with the
// session cookie, so the Hono process stays the only server-side owner of data and auth.
export const ssr = false;
export const prerender = false;

const CACHE_KEY = 'ef-me';

async function fetchMe(f: typeof fetch): Promise<Me | null> {
  try {
    return toMe(await api<MeResponse>('/auth/me', { fetch: f }));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}

export const load: LayoutLoad = async ({ fetch, url }) => {
  if (session.me === null) {
    // A full page load paints at once with the user remembered for this tab and checks the
    // cookie in the background; a lapsed session still lands on the login page.
    const cached = sessionStorage.getItem(CACHE_KEY);
    if (cached) {
      session.me = JSON.parse(cached) as Me;
      void fetchMe(fetch).then((me) => {
        session.me = me;
        if (!me) {
          sessionStorage.removeItem(CACHE_KEY);
          void goto(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
        }
      });
    } else {
      session.me = await fetchMe(fetch);
      if (session.me) sessionStorage.setItem(CACHE_KEY, JSON.stringify(session.me));
    }
  }
  if (session.me === null && url.pathname !== '/login') {
    redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return {};
};
