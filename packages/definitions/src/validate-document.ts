import { DOCUMENT_KINDS, validatorFor, type DocumentKind } from './ajv.ts';
import { suggestion } from './did-you-mean.ts';
import { finding, hasErrors, type Finding } from './finding.ts';
import type { Bundle, Form, Workflow } from './generated/index.ts';
import { checkLimits } from './limits.ts';
import type { LintContext } from './lint/context.ts';
import { lintParams } from './lint/data-schema.ts';
import { lintForm } from './lint/form.ts';
import { lintSlaPolicy, type SlaPolicyContext } from './lint/sla.ts';
import { lintTexts } from './lint/texts.ts';
import { lintWorkflow } from './lint/workflow.ts';
import { schemaFindings } from './schema-findings.ts';

export type ValidateOptions = {
  /** Name shown in findings; default `<document>`. */
  file?: string;
  /** References resolvable outside the document (set by `validateBundle`). */
  context?: Omit<LintContext, 'file'>;
};

/** The kind a document declares, or a finding saying why it has none. */
export function documentKind(doc: unknown, file: string): { kind: DocumentKind } | { finding: Finding } {
  const kind = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>)['kind'] : undefined;
  if (typeof kind === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(kind)) return { kind: kind as DocumentKind };
  if (typeof kind !== 'string') {
    return { finding: finding('unknown-kind', file, doc && typeof doc === 'object' && !Array.isArray(doc) ? '/kind' : '', `文档必须是对象并带有 "kind"（${DOCUMENT_KINDS.join('、')}）`, `A definition must be an object with a "kind" (${DOCUMENT_KINDS.join(', ')})`) };
  }
  const s = suggestion(kind, DOCUMENT_KINDS);
  return { finding: finding('unknown-kind', file, '/kind', `未知的种类 "${kind.slice(0, 64)}"${s.zh || `；可用：${DOCUMENT_KINDS.join('、')}`}`, `Unknown kind "${kind.slice(0, 64)}"${s.en || `; known kinds: ${DOCUMENT_KINDS.join(', ')}`}`) };
}

/**
 * Validates one parsed definition: size and shape limits first (so hostile input cannot blow up),
 * then the JSON Schema of its kind, then the semantic lint. Never throws on any JSON input.
 * @example validateDocument(JSON.parse(text), { file: 'workflow.json' }) // Finding[]
 */
export function validateDocument(doc: unknown, options: ValidateOptions = {}): Finding[] {
  const file = options.file ?? '<document>';
  const k = checkShape(doc, file);
  if ('findings' in k) return k.findings;
  const ctx: LintContext = { file, ...options.context };
  return [...lintKind(k.kind, doc, ctx), ...lintTexts(doc, ctx)];
}

/** The semantic lint of one kind (the text rules apply to every kind). */
function lintKind(kind: DocumentKind, doc: unknown, ctx: LintContext): Finding[] {
  switch (kind) {
    case 'workflow':
      return lintWorkflow(doc as Workflow, ctx);
    case 'form':
      return lintForm(doc as Form, ctx);
    case 'bundle':
      return lintParams((doc as Bundle).parameters, ['parameters'], ctx.file);
    case 'sla': {
      const wfId = (doc as { workflow?: unknown }).workflow;
      const workflow = ctx.workflowDefs && typeof wfId === 'string' ? (ctx.workflowDefs.get(wfId) ?? null) : undefined;
      return lintSlaPolicy(doc, { file: ctx.file, workflow, calendars: ctx.calendars, params: ctx.params });
    }
    default:
      return [];
  }
}

/** Limits, kind and the JSON Schema of the kind: the findings, or the kind when they all pass. */
function checkShape(doc: unknown, file: string): { kind: DocumentKind } | { findings: Finding[] } {
  const limits = checkLimits(doc, file);
  if (limits.length > 0) return { findings: limits };
  const k = documentKind(doc, file);
  if ('finding' in k) return { findings: [k.finding] };
  const validate = validatorFor(k.kind);
  if (!validate(doc)) return { findings: schemaFindings(validate.errors ?? [], file) };
  return k;
}

/**
 * An SLA policy checked as `validateDocument` does (limits, then its schema) and, even when the
 * schema finds something, against its context with `lintSlaPolicy`: CEL, params, calendars, the workflow's states and events. For callers
 * that hold the workflow itself (the designer's SLA editor, the API before publishing).
 * @example validateSlaPolicy(doc, { workflow, calendars: ['cn-office'], params: ['onSiteMinutes'] })
 */
export function validateSlaPolicy(doc: unknown, ctx: SlaPolicyContext = {}): Finding[] {
  const file = ctx.file ?? '<document>';
  const limits = checkLimits(doc, file);
  if (limits.length > 0) return limits;
  const k = documentKind(doc, file);
  if ('finding' in k) return [k.finding];
  if (k.kind !== 'sla') return [finding('wrong-kind', file, '/kind', `应为 SLA 策略（kind "sla"），实际为 "${k.kind}"`, `Expected an SLA policy (kind "sla"), got "${k.kind}"`)];
  const validate = validatorFor('sla');
  // Schema errors first; the lint walks the document defensively, so an editor still sees the CEL,
  // state and parameter findings of a policy that is not yet complete.
  const schema = validate(doc) ? [] : schemaFindings(validate.errors ?? [], file);
  return [...schema, ...lintSlaPolicy(doc, ctx)];
}

/** True when `validateDocument` finds no error (warnings allowed). */
export function isValidDocument(doc: unknown, options: ValidateOptions = {}): boolean {
  return !hasErrors(validateDocument(doc, options));
}
