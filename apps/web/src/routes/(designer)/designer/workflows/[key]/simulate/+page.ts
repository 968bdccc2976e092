import { api } from '$lib/api/client.ts';
import type { CalendarAnswer, CalendarList } from '@estateflow/api/schemas';
import { listDefinitions, loadEditable } from '$lib/designer/definitions-api.ts';
import { loadInstalled, type RunningVersion } from '$lib/simulate/installed.ts';
import { designerEstate } from '../../../designer-estate.ts';
import type { PageLoad } from './$types';

type Doc = Record<string, unknown>;

/** The workflow (draft, else latest published), its forms, the SLA policies bound to it, the estate's calendars and the parameters its running version was installed with. */
export const load: PageLoad = async ({ parent, fetch, url, params }) => {
  await parent();
  const estateId = designerEstate(url);
  const [{ document, versions }, formItems, slaItems, calendarList] = await Promise.all([
    loadEditable(estateId, 'workflow', params.key, fetch),
    listDefinitions(estateId, 'form', fetch),
    listDefinitions(estateId, 'sla', fetch),
    api<CalendarList>(`/calendars?estateId=${estateId}`, { fetch }).catch((): CalendarList => ({ items: [] })),
  ]);
  const wf = document as (Doc & { start?: { form?: string }; events?: Record<string, { form?: string }> }) | null;
  const used = new Set<string>();
  if (wf?.start?.form) used.add(wf.start.form);
  for (const e of Object.values(wf?.events ?? {})) if (e.form) used.add(e.form);
  const load = async (kind: string, key: string) => (await loadEditable(estateId, kind, key, fetch)).document;
  const [forms, slas, calendars, installed] = await Promise.all([
    Promise.all(formItems.filter((f) => used.has(f.key)).map((f) => load('form', f.key))),
    Promise.all(slaItems.map((s) => load('sla', s.key))),
    Promise.all(calendarList.items.map((c) => api<CalendarAnswer>(`/calendars/${encodeURIComponent(c.key)}?estateId=${estateId}`, { fetch }).catch(() => null))),
    // versions are newest first; the API's summaries carry the install that published each
    loadInstalled(params.key, versions[0] as RunningVersion | undefined, fetch),
  ]);
  return {
    estateId,
    key: params.key,
    workflow: wf,
    forms: forms.filter((f): f is Doc => !!f),
    policies: slas.filter((s): s is Doc => !!s && s.workflow === params.key),
    installed,
    runningVersion: versions[0]?.version ?? null,
    calendars: Object.fromEntries(calendars.filter((c) => !!c).map((c) => [c.key, c.document])),
  };
};
