import { ApiError } from '$lib/api/client.ts';
import type { Text } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';
import { loadStartable, loadStartForm, type Startable } from './processes.ts';
import type { PageLoad } from './$types';

/**
 * `/start`, and the shareable request link `/start?process=<key>&estate=<id>` (a QR code in the
 * lobby): the root layout sends a visitor who is not signed in to the login page and back here.
 */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const { processes, units } = await loadStartable(session.me?.memberships ?? [], fetch);
  const key = url.searchParams.get('process');
  const estateId = url.searchParams.get('estate');
  let chosen: Startable | null =
    processes.find((p) => p.key === key && (!estateId || p.estateId === estateId)) ?? (!key && processes.length === 1 ? processes[0]! : null);
  let form = null;
  let unavailable: Text | null = null;
  if (key && !chosen) {
    // not in the list: ask the server, which says why (another estate: 404; a role that may not start it: 403)
    try {
      await loadStartForm(estateId ?? session.me?.memberships[0]?.estateId ?? '', key, fetch);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      unavailable = e.text;
    }
    unavailable ??= { zh: `未找到流程（${key}）`, en: `Process ${key} was not found` };
  }
  if (chosen) {
    const r = await loadStartForm(chosen.estateId, chosen.key, fetch);
    form = r.form;
    chosen = { ...chosen, title: r.title ?? chosen.title };
  }
  return { processes, units: chosen ? (units.get(chosen.estateId) ?? []) : [], chosen, form, unavailable, query: url.searchParams.get('q') ?? '' };
};
