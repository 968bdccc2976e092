import { error } from '@sveltejs/kit';
import { api } from '$lib/api/client.ts';
import { loadEditable } from '$lib/designer/definitions-api.ts';
import type { SlaPolicy } from '@estateflow/sla';
import { designerEstate } from '../../designer-estate.ts';
import type { PageLoad } from './$types';

type Doc = Record<string, unknown>;

/** The policy (draft, else latest published), its workflow (states, events and the defaults of its params) and the estate's calendars. */
export const load: PageLoad = async ({ parent, fetch, url, params }) => {
  await parent();
  const estateId = designerEstate(url);
  const [{ document, versions }, calendarList] = await Promise.all([
    loadEditable(estateId, 'sla', params.key, fetch),
    api<{ items: { key: string; title?: unknown }[] }>(`/calendars?estateId=${estateId}`, { fetch }).catch(() => ({ items: [] })),
  ]);
  if (!document) error(404, { message: `SLA policy ${params.key} not found / 未找到 SLA 策略` });
  const policy = document as unknown as SlaPolicy;
  const [wf, calendars] = await Promise.all([
    policy.workflow ? loadEditable(estateId, 'workflow', policy.workflow, fetch).then((r) => r.document).catch(() => null) : Promise.resolve(null),
    Promise.all(calendarList.items.map((c) => api<{ key: string; document: Doc }>(`/calendars/${encodeURIComponent(c.key)}?estateId=${estateId}`, { fetch }).catch(() => null))),
  ]);
  const wfParams: Record<string, unknown> = {};
  for (const [k, p] of Object.entries((wf?.params ?? {}) as Record<string, { default?: unknown }>)) if (p.default !== undefined) wfParams[k] = p.default;
  return {
    estateId,
    policy,
    versions,
    params: wfParams,
    workflow: wf,
    calendars: Object.fromEntries(calendars.filter((c) => !!c).map((c) => [c.key, c.document])),
  };
};
