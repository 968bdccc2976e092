import type { Text } from '$lib/i18n/index.svelte.ts';
import type { Rendered } from '@estateflow/api/schemas';
import type { FormDefinition } from '../forms/form-document.ts';

/** The render model `GET /api/forms/{key}/render` answers (its route schema). */
export type RenderModel = Rendered['model'];

const both = (s: string | undefined): Text => ({ zh: s ?? '', en: s ?? '' });

/** Rebuilds a form document from the server's render model in the user's language (rules as evaluated by the server). */
export function fromRenderModel(model: RenderModel): FormDefinition {
  const properties: Record<string, JsonSchemaLike> = {};
  const required: string[] = [];
  const sections = model.sections.filter((s) => s.visible).map((s) => ({
    id: s.id,
    title: both(s.title),
    fields: s.fields.filter((f) => f.visible).map((f) => {
      const { items, ...scalar } = f.constraints;
      properties[f.field] = Object.fromEntries(Object.entries({ ...scalar, ...(items ? { items } : {}) }).filter(([, v]) => v !== undefined));
      if (f.required) required.push(f.field);
      return {
        field: f.field, widget: f.widget, label: both(f.label), ...(f.help ? { help: both(f.help) } : {}), ...(f.placeholder ? { placeholder: both(f.placeholder) } : {}),
        ...(f.options ? { options: f.options.map((o) => ({ value: o.value, label: both(o.label) })) } : {}),
        // photo and attachment fields keep the file types and count their widget offers
        ...(f.accept ? { accept: [...f.accept] } : {}), ...(f.maxFiles !== undefined ? { maxFiles: f.maxFiles } : {}),
      };
    }),
  }));
  return { kind: 'form', id: model.id, title: both(model.title), schema: { type: 'object', properties, required }, layout: { sections } };
}
type JsonSchemaLike = Record<string, unknown>;
