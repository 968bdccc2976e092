import { error } from '@sveltejs/kit';
import type { CalendarAnswer, CalendarList } from '@estateflow/api/schemas';
import { api } from '$lib/api/client.ts';
import { loadEditable } from '$lib/designer/definitions-api.ts';
import { newPolicy } from '$lib/sla/policy-doc.ts';
import type { SlaPolicy } from '@estateflow/sla';
import { designerEstate } from '../../designer-estate.ts';
import type { PageLoad } from './$types';

/** The policy (draft, else latest published), its workflow (states, events and the defaults of its params) and the estate's calendars. */
export const load: PageLoad = async ({ parent, fetch, url, params }) => {
  await parent();
  const estateId = designerEstate(url);
  const [{ document, versions }, calendarList] = await Promise.all([
    loadEditable(estateId, 'sla', params.key, fetch),
    api<CalendarList>(`/calendars?estateId=${estateId}`, { fetch }).catch((): CalendarList => ({ items: [] })),
  ]);
  // `?new=1&workflow=<key>` (the workflow page's "new SLA"): a policy prefilled from the workflow's draft or published version
  const isNew = !document && url.searchParams.get('new') === '1';
  if (!document && !isNew) error(404, { message: `SLA policy ${params.key} not found / 未找到 SLA 策略` });
  const wfKey = (document as { workflow?: string } | null)?.workflow ?? url.searchParams.get('workflow') ?? undefined;
  const [wf, calendars] = await Promise.all([
    wfKey ? loadEditable(estateId, 'workflow', wfKey, fetch).then((r) => r.document).catch(() => null) : Promise.resolve(null),
    Promise.all(calendarList.items.map((c) => api<CalendarAnswer>(`/calendars/${encodeURIComponent(c.key)}?estateId=${estateId}`, { fetch }).catch(() => null))),
  ]);
  const policy = (document ?? newPolicy(params.key, wf as never, wfKey)) as unknown as SlaPolicy;
  const wfParams: Record<string, unknown> = {};
  for (const [k, p] of Object.entries((wf?.params ?? {}) as Record<string, { default?: unknown }>)) if (p.default !== undefined) wfParams[k] = p.default;
  return {
    estateId,
    policy,
    // a new policy has no history (never another policy's)
    versions: versions.filter((v) => v.key === params.key && v.kind === 'sla'),
    isNew,
    params: wfParams,
    workflow: wf,
    calendars: Object.fromEntries(calendars.filter((c) => !!c).map((c) => [c.key, c.document])),
  };
};
