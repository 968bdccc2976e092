import type { Form, FormColumn, FormOption, FormWidget, Text, Visibility, Workflow } from './generated/index.ts';

/** How people see one field of an instance's context: its title, how to show it, option texts, who may see it. */
export type ContextFieldView = {
  name: string;
  title: Text;
  widget?: FormWidget;
  options?: readonly FormOption[];
  /** a repeatable group's columns (form fields only) */
  columns?: readonly FormColumn[];
  visibility?: Visibility;
  /** a key field lists show beside the unit and title (`summary: true`) */
  summary?: boolean;
  /** the value is a role key, shown as the role's title (`isRole: true`) */
  isRole?: boolean;
  /** where the words come from: the workflow's `contextFields`, or the form (id) whose field has this name */
  from: 'workflow' | { form: string };
};

/** What a workflow's machine mentions: the context fields it assigns and the forms its tasks use, in document order. */
function machineRefs(wf: Workflow): { assigned: string[]; forms: string[] } {
  const assigned: string[] = [];
  const forms: string[] = [];
  const stack: unknown[] = [wf.machine];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      const params = o['params'] as { values?: object } | undefined;
      if (o['type'] === 'assign' && params?.values) assigned.push(...Object.keys(params.values));
      if (typeof o['form'] === 'string') forms.push(o['form']);
      const values = Object.values(o);
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
    }
  }
  return { assigned, forms };
}

/** Every context field name a workflow can hold: its initial context, the start form's fields, `assign` targets, `contextFields`. */
export function contextFieldNames(wf: Workflow, forms: ReadonlyMap<string, Form>): string[] {
  const start = wf.start?.form === undefined ? undefined : forms.get(wf.start.form);
  return [...new Set([...Object.keys(wf.context ?? {}), ...Object.keys(start?.schema.properties ?? {}), ...machineRefs(wf).assigned, ...Object.keys(wf.contextFields ?? {})])];
}

/** The forms a workflow reads data through, in the order their words are preferred: start form, then events' and tasks' forms. */
/** The forms a workflow uses (its start form, its events' and its tasks' forms), of all the estate's forms. */
export function formsOf(wf: Workflow, forms: ReadonlyMap<string, Form>): Form[] {
  const ids = [wf.start?.form, ...Object.values(wf.events).map((e) => e.form), ...machineRefs(wf).forms];
  return [...new Set(ids)].flatMap((id) => (id !== undefined && forms.has(id) ? [forms.get(id)!] : []));
}

/**
 * How people see each field of a workflow's instances, by name: the workflow's `contextFields`
 * entry first (fields it assigns itself), else the layout field of that name in the start form,
 * then in its events' and tasks' forms (the form that captured the value). A name with no entry
 * has no title: the lint warns (`missing-title`) and screens fall back to `humanise(name)`.
 * Pure.
 * @example contextFields(repair, formsById).get('priceFen')?.title // { zh: '价格（元）', en: 'Price (yuan)' }
 */
export function contextFields(wf: Workflow, forms: ReadonlyMap<string, Form>): Map<string, ContextFieldView> {
  const out = new Map<string, ContextFieldView>();
  for (const [name, f] of Object.entries(wf.contextFields ?? {})) {
    out.set(name, { name, title: f.title, ...(f.widget ? { widget: f.widget } : {}), ...(f.options ? { options: f.options } : {}), ...(f.visibility ? { visibility: f.visibility } : {}), ...(f.summary ? { summary: true } : {}), ...(f.isRole ? { isRole: true } : {}), from: 'workflow' });
  }
  const wanted = new Set(contextFieldNames(wf, forms));
  for (const form of formsOf(wf, forms)) {
    for (const section of form.layout.sections) {
      for (const field of section.fields) {
        if (out.has(field.field) || !wanted.has(field.field)) continue;
        const visibility = field.visibility ?? section.visibility;
        out.set(field.field, { name: field.field, title: field.label, widget: field.widget, ...(field.options ? { options: field.options } : {}), ...(field.columns ? { columns: field.columns } : {}), ...(visibility ? { visibility } : {}), ...(field.summary ? { summary: true } : {}), ...(field.isRole ? { isRole: true } : {}), from: { form: form.id } });
      }
    }
  }
  return out;
}
