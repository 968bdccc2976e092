// The check lives in @estateflow/engine so the designer runs the very same code in the browser.
export { checkDefinition, definitionKinds, type CheckContext, type DefinitionIssue, type DefinitionKind } from '@estateflow/engine';
