import type { Text } from '$lib/i18n/index.svelte.ts';
import type { WorkflowDoc } from './workflow-doc.ts';

/** A workflow parameter (schemas/common.schema.json `Param`) as the parameter editor reads it. */
export type ParamDoc = {
  schema: { type: 'integer' | 'number' | 'string' | 'boolean'; minimum?: number; maximum?: number; enum?: (string | number)[]; [k: string]: unknown };
  default?: unknown;
  title: Text;
  description?: Text;
  source?: string[];
  defaultNotInDocuments?: Text;
};

/** The time unit a number parameter counts, read from its name (`dispatchMinutes`, `reviewDays`): shown beside the input. */
export function durationUnit(name: string): 'minutes' | 'hours' | 'days' | 'weeks' | 'months' | undefined {
  const m = /(Minutes|Hours|Days|Weeks|Months)$/.exec(name);
  return m ? (m[1]!.toLowerCase() as 'minutes') : undefined;
}

export function paramsOf(doc: WorkflowDoc): Record<string, ParamDoc> {
  return ((doc.params ?? {}) as Record<string, ParamDoc>);
}

/** Declares a parameter; false when the name is taken or not an identifier. */
export function addParam(doc: WorkflowDoc, name: string, type: ParamDoc['schema']['type'], title: Text): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || paramsOf(doc)[name]) return false;
  const p: ParamDoc = { schema: { type }, title, defaultNotInDocuments: { zh: '由本物业设定。', en: 'Set by this estate.' } };
  if (type === 'integer' || type === 'number') p.schema.minimum = 0;
  doc.params = { ...paramsOf(doc), [name]: p };
  return true;
}

export function removeParam(doc: WorkflowDoc, name: string): void {
  const { [name]: _, ...rest } = paramsOf(doc);
  doc.params = rest;
}

/** A typed default from an input's text: numbers for number types, booleans for boolean, '' clears it. */
export function defaultFrom(p: ParamDoc, raw: string): unknown {
  if (raw === '') return undefined;
  if (p.schema.type === 'integer' || p.schema.type === 'number') return Number(raw);
  if (p.schema.type === 'boolean') return raw === 'true';
  if (p.schema.enum && p.schema.enum.some((v) => typeof v === 'number')) return Number(raw);
  return raw;
}

/** Where a default comes from: the requirement ids it implements, else the stated reason it is not in the field documents. */
export function defaultSource(p: ParamDoc): { kind: 'requirements'; ids: string[] } | { kind: 'not-in-documents'; why?: Text } {
  if (p.source?.length) return { kind: 'requirements', ids: p.source };
  return p.defaultNotInDocuments ? { kind: 'not-in-documents', why: p.defaultNotInDocuments } : { kind: 'not-in-documents' };
}
