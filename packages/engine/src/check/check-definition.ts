import { validateDocument, type Workflow } from '@estateflow/definitions';
import { compile } from '../compile/compile.ts';
import { DefinitionError } from '../errors.ts';
import type { FormDefinition, Text, WorkflowDefinition } from '../adapters/definitions.ts';

/** One problem in a definition: a JSON pointer and a zh/en message. */
export type DefinitionIssue = { path: string; message: Text; file?: string };

export const definitionKinds = ['workflow', 'form', 'sla', 'calendar', 'fee-schedule', 'billing-plan', 'scenario'] as const;
export type DefinitionKind = (typeof definitionKinds)[number];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The one check of a definition, shared by the API (validate, draft, publish, install) and the
 * designer in the browser, so what the page shows is what the server answers.
 *
 * Checks a definition before it is stored or published (errors returned; lint warnings, which do not
 * refuse it, pushed to `warnings` when given): its shape (kind, id, bilingual title),
 * for a workflow that it compiles with the estate's forms (unknown actions, guards, delays,
 * forms and targets are refused here, at upload, never at run), and for an SLA policy, given the
 * workflow it measures, its CEL, states, events, params and calendars (`lintSlaPolicy`).
 */
export type CheckContext = {
  /** Parameters declared outside the document (a bundle's, or those of the install an SLA's workflow came from). */
  params?: ReadonlySet<string>;
  /** Calendar ids besides the built-in ones. */
  calendars?: ReadonlySet<string>;
  /**
   * Workflows an SLA policy may measure, by id (the bundle's, or the estate's latest published one it
   * names): its CEL, states, events and params are checked against it, and a name missing is refused.
   */
  workflows?: ReadonlyMap<string, Workflow>;
  /** The company's role keys (its catalogue): a workflow naming a role the company lacks is refused. */
  roles?: ReadonlySet<string>;
};

/** The roles a definition names, with their JSON pointers: a workflow's declared `roles` (every role it uses must be declared) and the roles its context fields are visible to, an SLA policy's notify lists of warnings, ladder rungs and breach actions. */
function namedRoles(document: Record<string, unknown>): { path: string; role: unknown }[] {
  const list = (v: unknown, path: string) => (Array.isArray(v) ? v.map((role, i) => ({ path: `${path}/${i}`, role })) : []);
  if (document.kind === 'workflow') {
    // a context field seen only by some roles names them too (the lint checks only roles that act)
    const fields = isObject(document.contextFields) ? Object.entries(document.contextFields) : [];
    const seenBy = fields.flatMap(([k, f]) => (isObject(f) && isObject(f.visibility) ? list(f.visibility.roles, `/contextFields/${k}/visibility/roles`) : []));
    return [...list(document.roles, '/roles'), ...seenBy];
  }
  if (document.kind !== 'sla' || !Array.isArray(document.metrics)) return [];
  return document.metrics.flatMap((m, mi) => {
    if (!isObject(m)) return [];
    const at = `/metrics/${mi}`;
    const warnings = Array.isArray(m.warnings) ? m.warnings.flatMap((w, wi) => (isObject(w) ? list(w.notify, `${at}/warnings/${wi}/notify`) : [])) : [];
    const onBreach = isObject(m.onBreach) ? m.onBreach : {};
    const ladder = Array.isArray(onBreach.ladder) ? onBreach.ladder.flatMap((r, ri) => (isObject(r) ? list(r.notify, `${at}/onBreach/ladder/${ri}/notify`) : [])) : [];
    const actions = Array.isArray(onBreach.actions) ? onBreach.actions.flatMap((a, ai) => {
      const to = isObject(a) && isObject(a.params) && isObject(a.params.to) ? a.params.to : undefined;
      return to && to.role !== undefined ? [{ path: `${at}/onBreach/actions/${ai}/params/to/role`, role: to.role }] : [];
    }) : [];
    return [...warnings, ...ladder, ...actions];
  });
}

/** Each role a workflow or SLA policy names that the company's catalogue lacks, at its pointer (`/roles/<i>`, `/metrics/0/onBreach/ladder/0/notify/1` …). */
export function unknownRoleIssues(document: Record<string, unknown>, roles: ReadonlySet<string>): DefinitionIssue[] {
  return namedRoles(document).flatMap(({ path, role }) => typeof role === 'string' && !roles.has(role)
    ? [{ path, message: {
        zh: `公司的角色目录中没有角色“${role}”：请先在“人员 → 角色”中添加，或改用已有角色`,
        en: `The company's role catalogue has no role "${role}": add it under People → Roles first, or use a role it has`,
      } }]
    : []);
}

export function checkDefinition(document: unknown, forms: readonly FormDefinition[] = [], context: CheckContext = {}, warnings?: DefinitionIssue[]): DefinitionIssue[] {
  if (!isObject(document)) return [{ path: '', message: { zh: '定义必须是 JSON 对象', en: 'A definition must be a JSON object' } }];
  const issues: DefinitionIssue[] = [];
  const kind = document.kind;
  if (typeof kind !== 'string' || !(definitionKinds as readonly string[]).includes(kind)) {
    issues.push({ path: '/kind', message: { zh: `未知的定义类型“${String(kind)}”，应为 ${definitionKinds.join('、')}`, en: `Unknown kind "${String(kind)}"; expected one of ${definitionKinds.join(', ')}` } });
  }
  if (typeof document.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(document.id)) {
    issues.push({ path: '/id', message: { zh: 'id 必须是小写字母、数字和连字符组成的字符串', en: 'id must be a string of lower-case letters, digits and hyphens' } });
  }
  const title = document.title;
  if (kind !== 'scenario' && (!isObject(title) || typeof title.zh !== 'string' || typeof title.en !== 'string')) {
    issues.push({ path: '/title', message: { zh: 'title 必须同时包含 zh 和 en', en: 'title needs both zh and en' } });
  }
  if (kind === 'form' && !isObject(document.schema)) {
    issues.push({ path: '/schema', message: { zh: '表单缺少数据 schema', en: 'A form needs a data schema' } });
  }
  if (issues.length === 0) {
    // the schema of the kind and the semantic lint of @estateflow/definitions (errors only; warnings pass)
    const { workflows, roles: _roles, ...refs } = context;
    const findings = validateDocument(document, { context: { forms: new Set(forms.map((f) => f.id)), ...refs, ...(workflows ? { workflowDefs: workflows } : {}) } });
    for (const f of findings) {
      if (f.severity === 'error') issues.push({ path: f.pointer, message: f.message });
      // warnings (a literal number a parameter states, a state without a title …) pass, but the caller may show them
      else warnings?.push({ path: f.pointer, message: f.message });
    }
  }
  if (issues.length === 0 && context.roles) issues.push(...unknownRoleIssues(document, context.roles));
  if (kind === 'workflow' && issues.length === 0) {
    if (!isObject(document.machine)) issues.push({ path: '/machine', message: { zh: '流程缺少 machine', en: 'A workflow needs a machine' } });
    else if (!isObject(document.events)) issues.push({ path: '/events', message: { zh: '流程缺少 events', en: 'A workflow needs events' } });
    else {
      try {
        compile(document as unknown as WorkflowDefinition, { forms: [...forms] });
      } catch (e) {
        if (e instanceof DefinitionError) issues.push({ path: e.path, message: e.text });
        else issues.push({ path: '', message: { zh: `流程无法编译：${String((e as Error).message)}`, en: `The workflow does not compile: ${String((e as Error).message)}` } });
      }
    }
  }
  return issues;
}
