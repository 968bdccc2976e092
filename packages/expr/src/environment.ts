import { Environment } from '@marcbachmann/cel-js';
import { LIMITS } from './budget.ts';
import { helperFunctions } from './helpers.ts';

/**
 * Which variables an expression may read: engine expressions, form rules, or the placeholders of
 * a text that describes a definition (titles, descriptions), which are rendered before any
 * instance exists and so read only the estate's parameters.
 */
export type ExprScope = 'workflow' | 'form' | 'description';

type VariableDoc = { name: string; type: string; description: string };

const TIMESTAMP = 'google.protobuf.Timestamp';

/** The variables of each scope, with their CEL types; the README documents the same list. */
export const SCOPE_VARIABLES: Readonly<Record<ExprScope, readonly VariableDoc[]>> = {
  workflow: [
    { name: 'event', type: 'map', description: 'the event being handled: type, data (map)' },
    { name: 'context', type: 'map', description: "the instance's data" },
    { name: 'instance', type: 'map', description: 'id, estateId, unitId, startedAt (timestamp), state' },
    { name: 'actor', type: 'map', description: 'who acts: id, role' },
    { name: 'params', type: 'map', description: "the estate's parameter values" },
    { name: 'now', type: TIMESTAMP, description: 'the current instant (passed in, never read from a clock)' },
  ],
  form: [
    { name: 'data', type: 'map', description: "the form's current values" },
    { name: 'actor', type: 'map', description: 'who fills the form: id, role' },
    { name: 'params', type: 'map', description: "the estate's parameter values" },
    { name: 'now', type: TIMESTAMP, description: 'the current instant' },
  ],
  description: [
    { name: 'params', type: 'map', description: "the estate's parameter values" },
  ],
};

function build(scope: ExprScope): Environment {
  const env = new Environment({ limits: { ...LIMITS.parser }, homogeneousAggregateLiterals: false });
  for (const v of SCOPE_VARIABLES[scope]) env.registerVariable(v.name, v.type, { description: v.description });
  for (const f of helperFunctions) env.registerFunction(f.signature, f.handler as never, { description: f.description });
  return env;
}

const environments: Record<ExprScope, Environment> = { workflow: build('workflow'), form: build('form'), description: build('description') };

export function environmentFor(scope: ExprScope): Environment {
  return environments[scope];
}

/** Every function name the expressions may call (built-in and ours), for "unknown function" messages. */
export const KNOWN_FUNCTIONS: ReadonlySet<string> = new Set(
  environments.workflow.getDefinitions().functions.map((f) => f.name),
);
