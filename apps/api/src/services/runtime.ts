/** Placeholder replaced below once the engine lands. */
export interface WorkflowRuntime {
  readonly name: string;
}
export function createRuntime(): WorkflowRuntime {
  return { name: 'engine' };
}
