/**
 * Live findings for an SLA policy being edited, each at the JSON Pointer of the field it is about.
 * The check is `validateSlaPolicy` of `@estateflow/definitions`, the one the server runs before it
 * publishes a policy and `wf validate` runs on a bundle: the schema and limits, every CEL expression
 * type-checked with `@estateflow/expr`, `params.X` against the workflow's params, calendars, and the
 * states and events of the workflow.
 */
import { validateSlaPolicy, type Workflow } from '@estateflow/definitions';
import type { LintFinding } from '$lib/designer/lint.ts';

export type PolicyContext = {
  /** The workflow the policy measures (draft or published); null when it could not be found, undefined while unknown. */
  workflow?: Workflow | null;
  /** Calendar ids available to the estate, `cn-statutory` included. */
  calendars: readonly string[];
  /** Parameter names the workflow declares. */
  params: readonly string[];
};

export function lintPolicy(doc: unknown, ctx: PolicyContext): LintFinding[] {
  // Undefined members left by the editor are absent in JSON; validate what would be stored.
  const plain = JSON.parse(JSON.stringify(doc ?? null)) as unknown;
  return validateSlaPolicy(plain, { file: 'sla', workflow: ctx.workflow, missingWorkflow: 'warning', calendars: ctx.calendars, params: ctx.params })
    .map((f) => ({ severity: f.severity, path: f.pointer, message: f.message }));
}

/** Findings exactly at `path`, or (with `below`) at it and inside it. */
export function findingsAt(findings: readonly LintFinding[], path: string, below = false): LintFinding[] {
  return findings.filter((f) => f.path === path || (below && f.path.startsWith(path + '/')));
}
