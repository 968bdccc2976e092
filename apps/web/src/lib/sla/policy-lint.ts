/**
 * Live findings for an SLA policy being edited, each at the JSON Pointer of the field it is about:
 * the schema and limits of `@estateflow/definitions` (`validateDocument`, the check the server runs
 * when the policy is saved or published), every CEL expression type-checked with `@estateflow/expr`,
 * and the references the bundle lint (`wf validate`) checks: states and events of the workflow,
 * parameters, calendars.
 */
import { statePaths, validateDocument, type Workflow } from '@estateflow/definitions';
import { checkExpr, type ExprExpect } from '@estateflow/expr';
import type { LintFinding } from '$lib/designer/lint.ts';
import { CONDITION_LISTS, type Deadline, type Policy } from './policy-doc.ts';

export type PolicyContext = {
  /** The workflow the policy measures (draft or published), when it could be loaded. */
  workflow?: Workflow | null;
  /** Calendar ids available to the estate, `cn-statutory` included. */
  calendars: readonly string[];
  /** Parameter names the workflow declares. */
  params: readonly string[];
};

const PARAM_REF = /\bparams\.([A-Za-z_][A-Za-z0-9_]*)/g;

export function lintPolicy(doc: unknown, ctx: PolicyContext): LintFinding[] {
  // Undefined members left by the editor are absent in JSON; validate what would be stored.
  const plain = JSON.parse(JSON.stringify(doc ?? null)) as unknown;
  const out: LintFinding[] = validateDocument(plain, { file: 'sla' }).map((f) => ({ severity: f.severity, path: f.pointer, message: f.message }));
  if (!plain || typeof plain !== 'object' || !Array.isArray((plain as Policy).metrics)) return out;
  const policy = plain as Policy;

  const expr = (source: unknown, path: string, expect: ExprExpect) => {
    if (typeof source !== 'string' || source === '') return;
    const issue = checkExpr(source, { scope: 'workflow', expect })[0];
    if (issue) out.push({ severity: 'error', path, message: issue.message });
    for (const m of source.matchAll(PARAM_REF)) {
      const name = m[1]!;
      if (!ctx.params.includes(name)) out.push({ severity: 'error', path, message: { zh: `参数“${name}”未在流程 params 中声明`, en: `Parameter "${name}" is not declared in the workflow's params` } });
    }
  };
  const calendar = (id: unknown, path: string) => {
    if (typeof id === 'string' && id && !ctx.calendars.includes(id)) {
      out.push({ severity: 'error', path, message: { zh: `日历“${id}”不存在（可用：${ctx.calendars.join('、')}）`, en: `Calendar "${id}" does not exist (available: ${ctx.calendars.join(', ')})` } });
    }
  };
  const deadline = (d: Deadline | undefined, path: string) => {
    if (!d || typeof d !== 'object') return;
    if (d.after && typeof d.after.amount === 'string') expr(d.after.amount, `${path}/after/amount`, 'int');
    if (typeof d.expr === 'string') expr(d.expr, `${path}/expr`, 'timestamp');
    calendar(d.calendar, `${path}/calendar`);
    d.cases?.forEach((c, i) => {
      expr(c.when, `${path}/cases/${i}/when`, 'bool');
      deadline(c.deadline, `${path}/cases/${i}/deadline`);
    });
    if (d.else) deadline(d.else, `${path}/else`);
  };

  calendar(policy.calendar, '/calendar');
  const workflow = ctx.workflow ?? null;
  if (policy.workflow && ctx.workflow === null) {
    out.push({ severity: 'warning', path: '/workflow', message: { zh: `未找到流程“${policy.workflow}”，无法核对状态和事件`, en: `Workflow "${policy.workflow}" was not found; states and events are not checked` } });
  }
  const states = workflow ? statePaths(workflow) : null;
  const events = workflow ? Object.keys(workflow.events ?? {}) : null;
  const seen = new Set<string>();
  policy.metrics.forEach((m, mi) => {
    const base = `/metrics/${mi}`;
    if (typeof m.id === 'string') {
      if (seen.has(m.id)) out.push({ severity: 'error', path: `${base}/id`, message: { zh: `指标 id“${m.id}”重复`, en: `Metric id "${m.id}" is used twice` } });
      seen.add(m.id);
    }
    calendar(m.calendar, `${base}/calendar`);
    for (const list of CONDITION_LISTS) {
      (m[list] ?? []).forEach((c, ci) => {
        const at = `${base}/${list}/${ci}`;
        if (typeof c.expr === 'string') expr(c.expr, `${at}/expr`, 'bool');
        for (const key of ['enter', 'leave'] as const) {
          const s = c[key];
          if (states && typeof s === 'string' && s && !states.has(s)) out.push({ severity: 'error', path: `${at}/${key}`, message: { zh: `流程“${policy.workflow}”没有状态“${s}”`, en: `Workflow "${policy.workflow}" has no state "${s}"` } });
        }
        if (events && typeof c.event === 'string' && c.event && !events.includes(c.event)) out.push({ severity: 'error', path: `${at}/event`, message: { zh: `流程“${policy.workflow}”未声明事件“${c.event}”`, en: `Workflow "${policy.workflow}" does not declare event "${c.event}"` } });
      });
    }
    (m.goals ?? []).forEach((g, gi) => {
      expr(g.when, `${base}/goals/${gi}/when`, 'bool');
      deadline(g.deadline, `${base}/goals/${gi}/deadline`);
    });
    const percents = (m.warnings ?? []).map((w) => (typeof w === 'number' ? w : w?.percent));
    percents.forEach((p, wi) => {
      if (percents.indexOf(p) !== wi) out.push({ severity: 'warning', path: `${base}/warnings/${wi}`, message: { zh: `预警 ${p}% 重复`, en: `Warning ${p}% appears twice` } });
    });
    (m.onBreach?.ladder ?? []).forEach((r, ri) => deadline(r.after, `${base}/onBreach/ladder/${ri}/after`));
  });
  return out;
}

/** Findings exactly at `path`, or (with `below`) at it and inside it. */
export function findingsAt(findings: readonly LintFinding[], path: string, below = false): LintFinding[] {
  return findings.filter((f) => f.path === path || (below && f.path.startsWith(path + '/')));
}
