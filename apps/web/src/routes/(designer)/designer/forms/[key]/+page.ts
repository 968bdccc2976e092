import type { FormDefinition } from '$lib/forms/form-document.ts';
import { loadEditable } from '$lib/designer/definitions-api.ts';
import { emptyForm } from '$lib/designer/form-doc.ts';
import { designerEstate } from '../../designer-estate.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, url, params }) => {
  await parent(); // the root layout loads the session first
  const estateId = designerEstate(url);
  const { document, versions } = await loadEditable(estateId, 'form', params.key, fetch);
  return { estateId, doc: (document as FormDefinition | null) ?? emptyForm(params.key), versions };
};
