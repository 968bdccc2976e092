export { compile, type CompiledWorkflow, type CompileOptions } from './compile/compile.ts';
export { timerEventType, afterTimerId } from './compile/rewrite.ts';
export { ACTION_NAMES, type ActionName } from './compile/vocabulary-names.ts';
export { LOOP_LIMIT } from './compile/vocabulary.ts';
export { start, step, restore, defaultParams, type Result } from './runtime/step.ts';
export { replay } from './runtime/replay.ts';
export { retimeTimers } from './runtime/retime.ts';
export { availableEvents, activeStateKeys, type AvailableEvent } from './runtime/available-events.ts';
export { describeState, shownType } from './runtime/authorise.ts';
export { DefinitionError, assertNever, type EngineError, type EngineErrorReason } from './errors.ts';
export type {
  Actor, Charge, Effect, EngineEvent, EngineSnapshot, HistoryEntry, MachineContext, Outcome,
  Recipient, StartInput, StepOptions, SystemContext, Task, TaskChanges, Timer, TimerChanges,
} from './types.ts';
export type { WorkflowDefinition, FormDefinition, Text, Deadline } from './adapters/definitions.ts';
export { assigneesOf, checkAssignees, type AssigneeSource } from './runtime/assignees.ts';
export { checkDefinition, definitionKinds, type CheckContext, type DefinitionIssue, type DefinitionKind } from './check/check-definition.ts';
