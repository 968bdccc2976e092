import { getForm, listProcesses } from '$lib/api/runner.ts';
import { i18n } from '$lib/i18n/index.svelte.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const processes = await listProcesses(fetch);
  const key = url.searchParams.get('process');
  const estateId = url.searchParams.get('estate');
  const chosen = processes.find((p) => p.key === key && (!estateId || p.estateId === estateId)) ?? (processes.length === 1 ? processes[0]! : null);
  const form = chosen?.startForm ? await getForm(chosen.estateId, chosen.startForm, i18n.locale, fetch) : null;
  return { processes, chosen, form };
};
