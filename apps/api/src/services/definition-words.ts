import { contextFields, renderDescription, type Form, type Text, type Visibility, type Workflow } from '@estateflow/definitions';
import { humanise, isVisible } from '@estateflow/forms';
import type { CompiledWorkflow } from '@estateflow/engine';
import type { SlaPolicy } from '@estateflow/sla';
import type { FieldWords, Words } from '../schemas/index.ts';

/** A role's title as the company's role catalogue words it (`roleCatalogue`), by role key. */
export type RoleTitles = ReadonlyMap<string, Text>;

type StateNode = { title?: Text; residentTitle?: Text; states?: Record<string, StateNode> };

/** Every state path of a machine (`work.dispatched`) with its title as `role` reads it; a state with no title, its humanised key. */
function stateTitles(node: StateNode, role: string, prefix = '', out: Record<string, Text> = {}): Record<string, Text> {
  for (const [key, s] of Object.entries(node.states ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const title = (role === 'resident' ? (s.residentTitle ?? s.title) : s.title) ?? { zh: humanise(key), en: humanise(key) };
    out[path] = title;
    stateTitles(s, role, path, out);
  }
  return out;
}

/**
 * A field's words. A field whose value is a role key (`isRole`) gets the company's roles as its
 * options, so every screen shows "前台" where the data holds `front_desk` (issue #18); a repeatable
 * group's items read as rows labelled by its columns.
 */
const fieldWords = (
  f: { title: Text; widget?: string; options?: readonly { value: unknown; label: Text }[]; isRole?: boolean; figure?: string; columns?: readonly { field: string; label: Text; widget: string; options?: readonly { value: unknown; label: Text }[] }[] },
  roles: RoleTitles,
): FieldWords => {
  const options = f.isRole ? [...roles].map(([value, label]) => ({ value, label })) : f.options?.map((o) => ({ value: o.value, label: o.label }));
  return {
    title: f.title,
    ...(f.widget ? { widget: f.widget } : {}),
    ...(options ? { options } : {}),
    ...(f.figure ? { figure: f.figure } : {}),
    ...(f.columns ? { columns: Object.fromEntries(f.columns.map((c) => [c.field, fieldWords({ title: c.label, widget: c.widget, ...(c.options ? { options: c.options } : {}) }, roles)])) } : {}),
  };
};

/** The fields of one form as `role` sees them: words of the visible ones, names of the hidden ones. */
function formWords(form: Form, role: string, roles: RoleTitles): { fields: Record<string, FieldWords>; hidden: string[] } {
  const fields: Record<string, FieldWords> = {};
  const hidden: string[] = [];
  for (const section of form.layout.sections) {
    for (const f of section.fields) {
      const visibility = (f.visibility ?? section.visibility) as Visibility | undefined;
      if (!isVisible({ visibility }, role)) hidden.push(f.field);
      else fields[f.field] = fieldWords({ title: f.label ?? { zh: humanise(f.field), en: humanise(f.field) }, widget: f.widget, ...(f.options ? { options: f.options } : {}), ...(f.isRole ? { isRole: true } : {}), ...(f.columns ? { columns: f.columns } : {}), ...(f.figure ? { figure: f.figure } : {}) }, roles);
    }
  }
  return { fields, hidden };
}

/**
 * The words of a compiled workflow version for `role`, with the SLA policies bound to it (pure);
 * their shape is the schema `workflowWords` (src/schemas/definitions.ts): titles of the workflow,
 * its states (a resident reads `residentTitle` where the state has one), events and SLA metrics;
 * the labels and option texts of the data fields the role may see (`hidden` names those it may
 * not, so a screen drops them rather than guessing); the description (a resident's own, when the
 * workflow has one), rendered with the estate's parameters. Never expressions, guards, params,
 * requirement ids or procedure text a resident should not read.
 */
export function definitionWords(
  pinned: { key: string; version: number; compiled: CompiledWorkflow; params: Record<string, unknown> },
  role: string,
  policies: readonly { key: string; policy: SlaPolicy }[],
  roles: RoleTitles = new Map(),
): Words {
  const def = pinned.compiled.definition as unknown as Workflow & { machine: StateNode; residentDescription?: Text };
  const forms = pinned.compiled.formDefinitions as unknown as ReadonlyMap<string, Form>;
  const fields: Record<string, FieldWords> = {};
  const hidden: string[] = [];
  const summary: string[] = [];
  for (const [name, view] of contextFields(def, forms)) {
    if (isVisible(view, role)) {
      fields[name] = fieldWords(view, roles);
      if (view.summary) summary.push(name);
    } else hidden.push(name);
  }
  const events: Words['events'] = {};
  for (const [type, e] of Object.entries(def.events ?? {})) {
    const form = e.form ? forms.get(e.form) : undefined;
    events[type] = { title: e.label ?? { zh: humanise(type), en: humanise(type) }, ...(form ? formWords(form, role, roles) : {}) };
  }
  const metrics: Words['metrics'] = {};
  for (const { key, policy } of policies) {
    for (const m of policy.metrics) {
      metrics[`${key}/${m.id}`] = { title: m.title ?? { zh: humanise(m.id), en: humanise(m.id) } };
    }
  }
  // starting values a later step decides (kind "minor", a price of 0): empty ones are not shown anyway
  const initial = Object.fromEntries(Object.entries((def as { context?: Record<string, unknown> }).context ?? {})
    .filter(([k, v]) => fields[k] !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)));
  // a table of on-time figures (the monthly statistics, #22) names its rows' SLA metrics by their titles
  const metricOptions = Object.entries(metrics).map(([value, m]) => ({ value, label: m.title }));
  const withMetricTitles = (f: FieldWords) => {
    const metric = f.figure === 'onTime' ? f.columns?.['metric'] : undefined;
    if (metric && metricOptions.length) metric.options = metricOptions;
  };
  for (const f of Object.values(fields)) withMetricTitles(f);
  for (const e of Object.values(events)) for (const f of Object.values(e.fields ?? {})) withMetricTitles(f);
  const description = role === 'resident' ? (def.residentDescription ?? undefined) : def.description;
  return withParams({
    key: pinned.key,
    version: pinned.version,
    title: def.title,
    ...(description ? { description } : {}),
    states: stateTitles(def.machine, role),
    events,
    fields,
    hidden,
    metrics,
    summary,
    timers: { ...Object.fromEntries(Object.keys(def.delays ?? {}).map((k) => [k, { zh: humanise(k), en: humanise(k) }])), ...(def.timerTitles ?? {}) },
    ...(Object.keys(initial).length ? { initial } : {}),
  }, pinned.params);
}

/** The names of a workflow's summary fields (`summary: true`) that `role` may see, in the definition's order: what lists show beside unit and title. */
export function summaryFields(compiled: CompiledWorkflow, role: string): string[] {
  const def = compiled.definition as unknown as Workflow;
  const forms = compiled.formDefinitions as unknown as ReadonlyMap<string, Form>;
  return [...contextFields(def, forms).values()].filter((v) => v.summary && isVisible(v, role)).map((v) => v.name);
}

/** Of a request's data, the values of its summary fields `role` may see (the inbox's rows carry these, not the whole data). */
export function summaryData(compiled: CompiledWorkflow, role: string, data: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(summaryFields(compiled, role).flatMap((k) => (data && data[k] !== undefined ? [[k, data[k]]] : [])));
}

/** Every text of the words with its `{{params.x}}` placeholders filled (an option "within {{params.majorRepairDays}} days"). */
function withParams<T>(value: T, params: Record<string, unknown>): T {
  if (Array.isArray(value)) return value.map((v) => withParams(v, params)) as T;
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o['zh'] === 'string' && typeof o['en'] === 'string' && Object.keys(o).length === 2) return renderDescription(o as Text, params) as T;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withParams(v, params)])) as T;
}

/** Whether a workflow's forms hold a table of on-time figures (`figure: "onTime"`): its words then name every SLA metric of the estate. */
export function showsOnTimeFigures(compiled: CompiledWorkflow): boolean {
  for (const form of compiled.formDefinitions.values()) {
    for (const section of form.layout?.sections ?? []) if (section.fields.some((f) => (f as { figure?: string }).figure === 'onTime')) return true;
  }
  return false;
}
