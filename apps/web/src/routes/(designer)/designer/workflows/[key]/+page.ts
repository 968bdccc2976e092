import { listDefinitions, loadEditable } from '$lib/designer/definitions-api.ts';
import { emptyWorkflow, type WorkflowDoc } from '$lib/designer/workflow-doc.ts';
import { loadInstalled, type RunningVersion } from '$lib/simulate/installed.ts';
import { designerEstate } from '../../designer-estate.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, url, params }) => {
  await parent(); // the root layout loads the session first
  const estateId = designerEstate(url);
  const [{ document, versions }, all] = await Promise.all([loadEditable(estateId, 'workflow', params.key, fetch), listDefinitions(estateId, undefined, fetch)]);
  const forms = all.filter((d) => d.kind === 'form');
  // the SLA policies that measure this workflow (drafts too)
  const slas = all.filter((d) => d.kind === 'sla' && d.workflow === params.key);
  const workflows = all.filter((d) => d.kind === 'workflow' && d.key !== params.key).map((d) => d.key);
  // the values the estate installed the workflow's bundle with: they win over the workflow's defaults
  const installed = await loadInstalled(params.key, versions[0] as RunningVersion | undefined, fetch);
  return { estateId, doc: (document as WorkflowDoc | null) ?? emptyWorkflow(params.key), versions, forms, slas, workflows, installed: installed?.values ?? null, installedSpecs: installed?.specs ?? {} };
};
