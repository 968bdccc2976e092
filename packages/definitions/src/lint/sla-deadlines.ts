import { finding, type Finding } from '../finding.ts';
import type { Workflow } from '../generated/index.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** One duration a deadline states: its amount as written (a number, or `params.x`) and its unit. */
type Stated = { amount: number | string; unit: string; working: boolean };

/** Every `after` duration a deadline states, through its `cases` and `else`. */
function durations(deadline: unknown, working = false, depth = 0): Stated[] {
  if (!isObj(deadline) || depth > 8) return [];
  const out: Stated[] = [];
  const w = working || deadline['working'] === true;
  const after = deadline['after'];
  if (isObj(after) && typeof after['unit'] === 'string' && (typeof after['amount'] === 'number' || typeof after['amount'] === 'string')) {
    out.push({ amount: after['amount'], unit: after['unit'], working: w });
  }
  for (const c of asArray(deadline['cases'])) if (isObj(c)) out.push(...durations(c['deadline'], false, depth + 1));
  if (deadline['else'] !== undefined) out.push(...durations(deadline['else'], false, depth + 1));
  return out;
}

const PARAM = /^\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/** The number a duration stands for: its literal, or the default of the one parameter it reads. */
function valueOf(s: Stated, defaults: ReadonlyMap<string, unknown>): { n: number; param?: string } | undefined {
  if (typeof s.amount === 'number') return { n: s.amount };
  const m = PARAM.exec(s.amount);
  const d = m ? defaults.get(m[1]!) : undefined;
  return m && typeof d === 'number' ? { n: d, param: m[1]! } : undefined;
}

/** The workflow's clocks per state: each task's `due` and each `after` timer's delay, with where it is written. */
type Clock = { state: string; key: string; where: string; stated: Stated[] };

function workflowClocks(wf: Workflow): Clock[] {
  const out: Clock[] = [];
  const delays = (isObj(wf.delays) ? wf.delays : {}) as Obj;
  const walk = (states: unknown, prefix: string[], depth: number): void => {
    if (!isObj(states) || depth > 12) return;
    for (const [key, s] of Object.entries(states)) {
      if (!isObj(s)) continue;
      const path = [...prefix, key];
      const state = path.join('.');
      for (const t of asArray(s['tasks'])) {
        if (isObj(t) && t['due'] !== undefined) out.push({ state, key, where: `task "${String(t['id'])}"`, stated: durations(t['due']) });
      }
      for (const delay of Object.keys(isObj(s['after']) ? s['after'] : {})) {
        out.push({ state, key, where: `timer "${delay}"`, stated: durations(delays[delay]) });
      }
      walk(s['states'], path, depth + 1);
    }
  };
  walk(isObj(wf.machine) ? wf.machine['states'] : undefined, [], 0);
  return out;
}

const show = (s: Stated, defaults: ReadonlyMap<string, unknown>): string => {
  const v = valueOf(s, defaults);
  return `${String(s.amount)}${v?.param ? ` (= ${v.n})` : ''} ${s.unit}${s.working ? ' (working)' : ''}`;
};

/**
 * One deadline, one place (#19): warns where an SLA metric and its workflow state the same deadline
 * number twice. A metric measures a state when it starts on entering it (`start: [{ enter }]`); the
 * workflow states that state's deadlines in its tasks' `due` and its `after` timers. A goal's
 * duration is "stated twice" when the workflow's clock for that state has the same unit and either
 * both write the same literal number, or one writes the number and the other reads a parameter whose
 * default is that number (the literal is left behind when an admin edits the parameter). Both reading
 * one parameter is the fix: one edit moves the timer and the SLA goal together.
 */
export function lintDeadlinesStatedTwice(sla: unknown, wf: Workflow, file: string, defaults: ReadonlyMap<string, unknown>): Finding[] {
  if (!isObj(sla) || !Array.isArray(sla['metrics'])) return [];
  const clocks = workflowClocks(wf);
  const out: Finding[] = [];
  sla['metrics'].forEach((m, mi) => {
    if (!isObj(m)) return;
    const entered = asArray(m['start']).flatMap((c) => (isObj(c) && typeof c['enter'] === 'string' ? [c['enter']] : []));
    if (entered.length === 0) return;
    const measured = clocks.filter((c) => entered.some((s) => s === c.state || s === c.key));
    asArray(m['goals']).forEach((g, gi) => {
      if (!isObj(g)) return;
      for (const goal of durations(g['deadline'])) {
        const gv = valueOf(goal, defaults);
        if (!gv) continue;
        // both literal, or a literal beside the parameter that holds the same number
        const pair = (s: Stated): boolean => {
          if (s.unit !== goal.unit) return false;
          const sv = valueOf(s, defaults);
          return sv !== undefined && sv.n === gv.n && (sv.param === undefined || gv.param === undefined);
        };
        const twice = measured.find((c) => c.stated.some(pair));
        if (!twice) continue;
        const other = twice.stated.find(pair)!;
        out.push(finding(
          'deadline-stated-twice',
          file,
          ['metrics', mi, 'goals', gi, 'deadline'],
          `指标“${String(m['id'])}”的期限 ${show(goal, defaults)} 与流程“${wf.id}”状态“${twice.state}”的${twice.where.startsWith('task') ? '任务' : '计时器'}${twice.where.replace(/^\w+ /, '')}的期限 ${show(other, defaults)} 是同一个数字，写了两处：改了一处，另一处会被落下。请把这个数字放进一个参数，计时器与 SLA 目标都读它（如 "amount": "params.xxx"）`,
          `Metric "${String(m['id'])}" states ${show(goal, defaults)} and workflow "${wf.id}" states ${show(other, defaults)} for the same deadline (${twice.where} in state "${twice.state}"): one deadline written in two places, so an edit to one leaves the other behind. Put the number in one parameter that both the timer and the SLA goal read ("amount": "params.…")`,
          'warning',
        ));
        break;
      }
    });
  });
  return out;
}
