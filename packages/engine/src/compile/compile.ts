/**
 * Builds the XState machine of a workflow through `setup()` with the engine's registry, checks
 * every expression and reference once, and caches the result per definition object and per
 * id + version + content hash.
 */
import { createHash } from 'node:crypto';
import { setup, type AnyStateMachine } from 'xstate';
import { versionOf, type FormDefinition, type WorkflowDefinition } from '../adapters/definitions.ts';
import { compileExpression } from '../adapters/expr.ts';
import { compileFormValidator, type CompiledForm } from '../adapters/forms.ts';
import { DefinitionError } from '../errors.ts';
import type { MachineContext, StartInput } from '../types.ts';
import { checkExpressions } from './check-expressions.ts';
import { rewriteMachine, type MachineShape } from './rewrite.ts';
import { createVocabulary } from './vocabulary.ts';

export type CompiledWorkflow = {
  readonly key: string;
  readonly definition: WorkflowDefinition;
  readonly machine: AnyStateMachine;
  readonly shape: MachineShape;
  readonly forms: ReadonlyMap<string, CompiledForm>;
  readonly formDefinitions: ReadonlyMap<string, FormDefinition>;
};

export type CompileOptions = { forms?: FormDefinition[] | Record<string, FormDefinition> };

const byObject = new WeakMap<WorkflowDefinition, CompiledWorkflow>();
const byKey = new Map<string, CompiledWorkflow>();

function formsUsed(def: WorkflowDefinition): { form: string; path: string }[] {
  const out: { form: string; path: string }[] = [];
  if (def.start?.form) out.push({ form: def.start.form, path: '/start/form' });
  for (const [type, e] of Object.entries(def.events)) if (e.form) out.push({ form: e.form, path: `/events/${type}/form` });
  return out;
}

/**
 * Compiles a workflow once; the same definition (object, or id + version + content) returns the
 * cached machine. Throws `DefinitionError` (JSON pointer, zh/en) when the definition is unusable.
 * @example const wf = compile(workflowJson, { forms: [intakeForm] });
 */
export function compile(def: WorkflowDefinition, options: CompileOptions = {}): CompiledWorkflow {
  const hit = byObject.get(def);
  if (hit) return hit;
  const formList = Array.isArray(options.forms) ? options.forms : Object.values(options.forms ?? {});
  const hash = createHash('sha256').update(JSON.stringify(def)).update(JSON.stringify(formList)).digest('hex').slice(0, 16);
  const key = `${def.id}@${versionOf(def)}#${hash}`;
  const cached = byKey.get(key);
  if (cached) {
    byObject.set(def, cached);
    return cached;
  }
  const formDefinitions = new Map(formList.map((f) => [f.id, f]));
  const forms = new Map<string, CompiledForm>();
  for (const { form, path } of formsUsed(def)) {
    const f = formDefinitions.get(form);
    if (!f) throw new DefinitionError(path, { zh: `找不到表单“${form}”`, en: `Form "${form}" was not supplied` });
    if (!forms.has(form)) forms.set(form, compileFormValidator(f));
  }
  checkExpressions(def, compileExpression);
  const shape = rewriteMachine(def);
  const compiled: CompiledWorkflow = {
    key, definition: def, shape, forms, formDefinitions,
    machine: undefined as unknown as AnyStateMachine,
  };
  const vocabulary = createVocabulary(def);
  const machine = setup({
    types: {} as { context: MachineContext; input: StartInput & { data: Record<string, unknown> } },
    actions: vocabulary.actions as never,
    guards: vocabulary.guards as never,
  }).createMachine({
    id: def.id,
    ...(shape.config as object),
    context: ({ input }: { input: StartInput & { data: Record<string, unknown> } }): MachineContext => ({
      data: { ...structuredClone(def.context ?? {}), ...input.data },
      sys: {
        instanceId: input.instanceId, startedAt: input.now, now: input.now, actor: input.actor,
        params: input.params ?? {}, tasks: {}, timers: {}, ladders: {}, loops: 0, seq: 0,
        ...(input.parent ? { parent: input.parent } : {}),
      },
    }),
  } as never);
  (compiled as { machine: AnyStateMachine }).machine = machine as unknown as AnyStateMachine;
  byObject.set(def, compiled);
  byKey.set(key, compiled);
  return compiled;
}
