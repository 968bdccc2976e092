import { checkExpr, type ExprExpect } from '@estateflow/expr';
import { suggestion } from '../did-you-mean.ts';
import { finding, type Finding } from '../finding.ts';
import type { Workflow } from '../generated/index.ts';
import { BUILT_IN_CALENDARS } from '../vocabulary.ts';
import { exprFinding } from './expressions.ts';

type Path = (string | number)[];
type Obj = Record<string, unknown>;

/** The condition lists of an SLA metric (schemas/sla.schema.json `Metric`). */
export const SLA_CONDITION_LISTS = ['start', 'pause', 'resume', 'stop', 'reset'] as const;

/** Every state path of a workflow, dotted (`kept`, `kept.seekingOwner`), plus bare keys. */
export function statePaths(wf: Workflow): Set<string> {
  const out = new Set<string>();
  const walk = (states: Record<string, unknown> | undefined, prefix: string[]): void => {
    for (const [k, v] of Object.entries(states ?? {})) {
      out.add([...prefix, k].join('.'));
      out.add(k);
      walk((v as { states?: Record<string, unknown> }).states, [...prefix, k]);
    }
  };
  walk((wf.machine as { states?: Record<string, unknown> } | undefined)?.states, []);
  return out;
}

type StateLike = { states?: Record<string, StateLike>; always?: unknown };

/**
 * States a workflow never rests in: an `always` without a guard leaves them in the step that enters
 * them, so an instance's history (the state after each step) never shows them. By dotted path and
 * bare key (a key is transient when every state of that key is), each with the targets its
 * `always` leads to, transient ones followed through.
 */
export function transientStates(wf: Workflow): Map<string, string[]> {
  const direct = new Map<string, { key: string; targets: string[] }>();
  const byKey = new Map<string, string[]>();
  const walk = (states: Record<string, StateLike> | undefined, prefix: string[]): void => {
    for (const [k, v] of Object.entries(states ?? {})) {
      const path = [...prefix, k].join('.');
      byKey.set(k, [...(byKey.get(k) ?? []), path]);
      const always = v.always === undefined ? [] : Array.isArray(v.always) ? v.always : [v.always];
      const leaves = always.some((t) => typeof t === 'string' || (isObj(t) && t['guard'] === undefined));
      if (leaves && !v.states) {
        const targets = always.flatMap((t) => (typeof t === 'string' ? [t] : isObj(t) && typeof t['target'] === 'string' ? [t['target']] : []));
        direct.set(path, { key: k, targets: targets.map((t) => t.replace(/^#[^.]+\./, '')) });
      }
      walk(v.states, [...prefix, k]);
    }
  };
  walk((wf.machine as StateLike | undefined)?.states, []);
  const resting = (targets: string[], seen: Set<string>): string[] => targets.flatMap((t) => {
    const next = direct.get(t) ?? [...direct.values()].find((d) => d.key === t);
    if (!next || seen.has(t)) return [t];
    return resting(next.targets, new Set([...seen, t]));
  });
  const out = new Map<string, string[]>();
  for (const [path, d] of direct) out.set(path, [...new Set(resting(d.targets, new Set([path])))]);
  for (const [key, paths] of byKey) if (paths.every((p) => direct.has(p)) && !out.has(key)) out.set(key, [...new Set(paths.flatMap((p) => out.get(p)!))]);
  return out;
}

/** What an SLA policy is checked against. An absent member means "not known here": its checks are skipped. */
export type SlaPolicyContext = {
  /** Name shown in findings; default `<document>`. */
  file?: string;
  /**
   * The workflow the policy measures (`document.workflow`). `null`: it was looked up and not found
   * (reported with `missingWorkflow`); `undefined`: not known here, states and events are not checked.
   */
  workflow?: Workflow | null;
  /** Severity when the workflow was not found: `error` (server, bundle) or `warning` (an editor still loading). Default `error`. */
  missingWorkflow?: 'error' | 'warning';
  /** Calendar ids available besides the built-in ones (`cn-statutory`). */
  calendars?: Iterable<string>;
  /**
   * Parameter names declared outside the workflow (bundle parameters, an install's parameters).
   * `params.X` is checked against these plus the workflow's own `params` whenever either is known.
   */
  params?: Iterable<string>;
};

const PARAM_REF = /\bparams\.([A-Za-z_][A-Za-z0-9_]*)/g;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The semantic check of an SLA policy (`kind: "sla"`), the same on the server (publish, bundle
 * install), in `wf validate` and in the designer's SLA editor: every CEL site type-checked with
 * `@estateflow/expr` (metric conditions' `expr` and goals' `when` as bool, deadline `expr` as
 * timestamp, `after.amount` given as an expression as int, cases' `when` as bool), `params.X`
 * against the declared parameters, calendars, the workflow's states and events, metric ids used
 * twice and repeated warning percents. Assumes the document passed its JSON schema; walks it
 * defensively all the same. Findings carry JSON pointers and zh/en messages.
 * @example lintSlaPolicy(doc, { workflow, calendars: ['cn-office'], params: [] }) // Finding[]
 */
export function lintSlaPolicy(doc: unknown, ctx: SlaPolicyContext = {}): Finding[] {
  const file = ctx.file ?? '<document>';
  const out: Finding[] = [];
  if (!isObj(doc)) return out;
  const wfId = typeof doc['workflow'] === 'string' ? doc['workflow'] : undefined;
  const workflow = ctx.workflow ?? undefined;
  if (wfId !== undefined && ctx.workflow === null) {
    out.push(finding('unknown-workflow', file, ['workflow'], `找不到流程“${wfId}”（须是模板包中或本项目已发布的流程），无法核对状态、事件和参数`, `Workflow "${wfId}" was not found (it must be in the bundle or published in the estate); states, events and parameters are not checked`, ctx.missingWorkflow ?? 'error'));
  }
  const calendars = ctx.calendars === undefined ? undefined : new Set([...BUILT_IN_CALENDARS, ...ctx.calendars]);
  const params = ctx.params === undefined && !workflow ? undefined : new Set([...(ctx.params ?? []), ...Object.keys(workflow?.params ?? {})]);
  const states = workflow ? statePaths(workflow) : undefined;
  const transient = workflow ? transientStates(workflow) : undefined;
  const events = workflow ? Object.keys(workflow.events ?? {}) : undefined;

  const expr = (source: unknown, path: Path, expect: ExprExpect): void => {
    if (typeof source !== 'string' || source === '') return;
    const issue = checkExpr(source, { scope: 'workflow', expect })[0];
    if (issue) out.push(exprFinding(issue, source, path, file));
    if (!params) return;
    for (const m of source.matchAll(PARAM_REF)) {
      const name = m[1]!;
      if (params.has(name)) continue;
      const s = suggestion(name, params);
      out.push(finding('undeclared-param', file, path, `参数“${name}”未在流程 params 中声明${s.zh}`, `Parameter "${name}" is not declared in the workflow's params${s.en}`));
    }
  };
  const calendar = (id: unknown, path: Path): void => {
    if (!calendars || typeof id !== 'string' || id === '' || calendars.has(id)) return;
    const list = [...calendars];
    const s = suggestion(id, list);
    out.push(finding('unknown-calendar', file, path, `日历“${id}”不存在（可用：${list.join('、')}）${s.zh}`, `Calendar "${id}" does not exist (available: ${list.join(', ')})${s.en}`));
  };
  const deadline = (d: unknown, path: Path, depth = 0): void => {
    if (!isObj(d) || depth > 8) return;
    const after = d['after'];
    if (isObj(after) && typeof after['amount'] === 'string') expr(after['amount'], [...path, 'after', 'amount'], 'int');
    expr(d['expr'], [...path, 'expr'], 'timestamp');
    calendar(d['calendar'], [...path, 'calendar']);
    const cases = d['cases'];
    if (Array.isArray(cases)) {
      cases.forEach((c, i) => {
        if (!isObj(c)) return;
        expr(c['when'], [...path, 'cases', i, 'when'], 'bool');
        deadline(c['deadline'], [...path, 'cases', i, 'deadline'], depth + 1);
      });
    }
    deadline(d['else'], [...path, 'else'], depth + 1);
  };
  const condition = (c: unknown, path: Path): void => {
    if (!isObj(c)) return;
    expr(c['expr'], [...path, 'expr'], 'bool');
    for (const key of ['enter', 'leave'] as const) {
      const s = c[key];
      const leadsTo = typeof s === 'string' ? transient?.get(s) : undefined;
      if (leadsTo) {
        out.push(finding('transient-state', file, [...path, key],
          `状态“${s}”一进入就经 always 离开，工单历史里看不到它，这个条件永远不成立；请改用它通往的状态：${leadsTo.join('、')}`,
          `State "${s}" is left at once by an unguarded always, so the history never shows it and this condition never holds; name the states it leads to instead: ${leadsTo.join(', ')}`));
        continue;
      }
      if (!states || typeof s !== 'string' || s === '' || states.has(s)) continue;
      const sug = suggestion(s, states);
      out.push(finding('unknown-state', file, [...path, key], `流程“${wfId}”没有状态“${s}”${sug.zh}`, `Workflow "${wfId}" has no state "${s}"${sug.en}`));
    }
    const e = c['event'];
    if (events && typeof e === 'string' && e !== '' && !events.includes(e)) {
      const sug = suggestion(e, events);
      out.push(finding('undeclared-event', file, [...path, 'event'], `流程“${wfId}”未声明事件“${e}”${sug.zh}`, `Workflow "${wfId}" does not declare event "${e}"${sug.en}`));
    }
  };

  const template = (t: unknown, path: Path): void => {
    if (!isObj(t)) return;
    for (const lang of ['zh', 'en'] as const) {
      const text = t[lang];
      if (typeof text !== 'string') continue;
      // each {{ placeholder }} is a CEL expression, checked like any other (syntax, types, params.X)
      for (const m of text.matchAll(/\{\{([^}]*)\}\}/g)) expr(m[1]!.trim(), [...path, lang], 'any');
    }
  };
  // onBreach runs when the breach is recorded, outside the machine: only effects that change nothing in the instance
  const breachAction = (a: unknown, path: Path): void => {
    if (!isObj(a)) return;
    const type = a['type'];
    const p = isObj(a['params']) ? a['params'] : {};
    if (type === 'notify') {
      const to = isObj(p['to']) ? p['to'] : {};
      expr(to['user'], [...path, 'params', 'to', 'user'], 'string');
      template(p['message'], [...path, 'params', 'message']);
    } else if (type === 'recordIncident') {
      expr(p['severity'], [...path, 'params', 'severity'], 'any');
      template(p['summary'], [...path, 'params', 'summary']);
    } else if (typeof type === 'string') {
      out.push(finding('unsupported-action', file, [...path, 'type'],
        `超时处理只能执行 notify（通知）和 recordIncident（记录事件）；“${type}”会改变工单，请写在流程中（例如超时计时器触发的转换上）`,
        `onBreach runs only notify and recordIncident; "${type}" changes the instance and belongs in the workflow (e.g. on the transition its deadline timer fires)`));
    }
  };

  calendar(doc['calendar'], ['calendar']);
  const metrics = Array.isArray(doc['metrics']) ? doc['metrics'] : [];
  const seen = new Set<string>();
  metrics.forEach((m, mi) => {
    if (!isObj(m)) return;
    const base: Path = ['metrics', mi];
    const id = m['id'];
    if (typeof id === 'string') {
      if (seen.has(id)) out.push(finding('duplicate-id', file, [...base, 'id'], `指标 id“${id}”重复`, `Metric id "${id}" is used twice`));
      seen.add(id);
    }
    calendar(m['calendar'], [...base, 'calendar']);
    for (const list of SLA_CONDITION_LISTS) {
      const conds = m[list];
      if (Array.isArray(conds)) conds.forEach((c, ci) => condition(c, [...base, list, ci]));
    }
    const goals = Array.isArray(m['goals']) ? m['goals'] : [];
    goals.forEach((g, gi) => {
      if (!isObj(g)) return;
      expr(g['when'], [...base, 'goals', gi, 'when'], 'bool');
      deadline(g['deadline'], [...base, 'goals', gi, 'deadline']);
    });
    const warnings = Array.isArray(m['warnings']) ? m['warnings'] : [];
    const percents = warnings.map((w) => (typeof w === 'number' ? w : isObj(w) ? w['percent'] : undefined));
    percents.forEach((p, wi) => {
      if (p !== undefined && percents.indexOf(p) !== wi) out.push(finding('duplicate-warning', file, [...base, 'warnings', wi], `预警 ${String(p)}% 重复`, `Warning ${String(p)}% appears twice`, 'warning'));
    });
    const onBreach = m['onBreach'];
    const ladder = isObj(onBreach) && Array.isArray(onBreach['ladder']) ? onBreach['ladder'] : [];
    ladder.forEach((r, ri) => {
      if (isObj(r)) deadline(r['after'], [...base, 'onBreach', 'ladder', ri, 'after']);
    });
    const actions = isObj(onBreach) && Array.isArray(onBreach['actions']) ? onBreach['actions'] : [];
    actions.forEach((a, ai) => breachAction(a, [...base, 'onBreach', 'actions', ai]));
  });
  return out;
}
