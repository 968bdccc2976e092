import { DOCUMENT_KINDS, validatorFor, type DocumentKind } from './ajv.ts';
import { suggestion } from './did-you-mean.ts';
import { finding, hasErrors, type Finding } from './finding.ts';
import type { Bundle, Form, Workflow } from './generated/index.ts';
import { checkLimits } from './limits.ts';
import type { LintContext } from './lint/context.ts';
import { lintParams } from './lint/data-schema.ts';
import { lintForm } from './lint/form.ts';
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
  const limits = checkLimits(doc, file);
  if (limits.length > 0) return limits;
  const k = documentKind(doc, file);
  if ('finding' in k) return [k.finding];
  const validate = validatorFor(k.kind);
  if (!validate(doc)) return schemaFindings(validate.errors ?? [], file);
  const ctx: LintContext = { file, ...options.context };
  switch (k.kind) {
    case 'workflow':
      return lintWorkflow(doc as Workflow, ctx);
    case 'form':
      return lintForm(doc as Form, ctx);
    case 'bundle':
      return lintParams((doc as Bundle).parameters, ['parameters'], file);
    default:
      return [];
  }
}

/** True when `validateDocument` finds no error (warnings allowed). */
export function isValidDocument(doc: unknown, options: ValidateOptions = {}): boolean {
  return !hasErrors(validateDocument(doc, options));
}
