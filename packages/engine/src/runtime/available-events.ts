import type { EventDef, FormDefinition } from '../adapters/definitions.ts';
import type { CompiledWorkflow } from '../compile/compile.ts';
import type { Actor, EngineSnapshot } from '../types.ts';

export type AvailableEvent = { type: string; label: EventDef['label']; form?: FormDefinition; formId?: string };

/** Every state key active in a state value, leaves and their ancestors ('' is the root). */
export function activeStateKeys(value: unknown, prefix: string[] = []): string[] {
  const here = prefix.join('.');
  if (typeof value === 'string') return [here, [...prefix, value].join('.')];
  if (value && typeof value === 'object') {
    const out = [here];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out.push(...activeStateKeys(v, [...prefix, k]).slice(1));
    for (const k of Object.keys(value as Record<string, unknown>)) out.push([...prefix, k].join('.'));
    return [...new Set(out)];
  }
  return [here];
}

/**
 * The events this actor may send now, with labels and forms, for the UI. A listed event may
 * still be refused by a guard on its data.
 */
export function availableEvents(compiled: CompiledWorkflow, snapshot: EngineSnapshot, actor: Actor): AvailableEvent[] {
  if (snapshot.status !== 'active') return [];
  const handled = new Set<string>();
  for (const k of activeStateKeys(snapshot.value)) for (const t of compiled.shape.handles.get(k) ?? []) handled.add(t);
  const out: AvailableEvent[] = [];
  for (const [type, def] of Object.entries(compiled.definition.events)) {
    if (!handled.has(type)) continue;
    const may = def.system ? actor.role === 'system' : (def.roles as readonly string[] | undefined ?? []).includes(actor.role);
    if (!may) continue;
    const e: AvailableEvent = { type, label: def.label };
    if (def.form) {
      e.formId = def.form;
      const f = compiled.formDefinitions.get(def.form);
      if (f) e.form = f;
    }
    out.push(e);
  }
  return out;
}
