import type { Text } from '$lib/i18n/index.svelte.ts';
import type { Declared } from '$lib/simulate/params.ts';
import type { WorkflowDoc } from './workflow-doc.ts';

/**
 * Declaring and removing a workflow's parameters (schemas/common.schema.json `Param`). How a value
 * is typed, checked and shown, and where its default comes from, is `$lib/simulate/params.ts`: the
 * parameter editor and Simulate read parameters by the same rules.
 */
export function paramsOf(doc: WorkflowDoc): Record<string, Declared> {
  return (doc.params ?? {}) as Record<string, Declared>;
}

/** Declares a parameter; false when the name is taken or not an identifier. */
export function addParam(doc: WorkflowDoc, name: string, type: 'integer' | 'number' | 'string' | 'boolean', title: Text): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || paramsOf(doc)[name]) return false;
  const p: Declared = { schema: { type }, title, defaultNotInDocuments: { zh: '由本物业设定。', en: 'Set by this estate.' } };
  if (type === 'integer' || type === 'number') p.schema.minimum = 0;
  doc.params = { ...paramsOf(doc), [name]: p };
  return true;
}

export function removeParam(doc: WorkflowDoc, name: string): void {
  const { [name]: _, ...rest } = paramsOf(doc);
  doc.params = rest;
}
