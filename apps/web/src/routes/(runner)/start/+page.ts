import { getForm, listProcesses } from '$lib/api/runner.ts';
import type { ProcessEntry } from '$lib/api/types.ts';
import { i18n } from '$lib/i18n/index.svelte.ts';
import { session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent(); // the root layout loads the session first
  const processes = await listProcesses(fetch);
  const key = url.searchParams.get('process');
  const estateId = url.searchParams.get('estate');
  const formKey = url.searchParams.get('form');
  let chosen: ProcessEntry | null = processes.find((p) => p.key === key && (!estateId || p.estateId === estateId)) ?? (processes.length === 1 ? processes[0]! : null);
  // A request link (`?process=&estate=&form=`, e.g. a QR code in the lobby) lets roles that may not
  // read the definitions catalogue, such as residents, raise that request.
  if (!chosen && key && estateId && formKey && session.estates.some((e) => e.id === estateId)) {
    chosen = { key, estateId, estateName: session.estates.find((e) => e.id === estateId)?.name, title: { zh: key, en: key }, startForm: formKey };
  }
  const form = chosen?.startForm ? await getForm(chosen.estateId, chosen.startForm, i18n.locale, fetch) : null;
  if (chosen && form && chosen.title.zh === chosen.key) chosen = { ...chosen, title: form.title };
  return { processes, chosen, form };
};
