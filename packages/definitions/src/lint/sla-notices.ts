import { finding, type Finding } from '../finding.ts';
import type { Workflow } from '../generated/index.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** A workflow `after` timer whose transition escalates through a ladder: one clock with its audience. */
type Escalation = { state: string; key: string; delay: string; deadline: unknown; ladder: string; roles: Set<string> };

/** JSON with sorted keys, so two deadlines written in a different key order compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** A deadline as the list of (condition, deadline) pairs it chooses from, the shape of an SLA metric's goals. */
function delayGoals(d: unknown): string {
  if (isObj(d) && Array.isArray(d['cases'])) {
    const cases = d['cases'].map((c) => [isObj(c) ? c['when'] : undefined, isObj(c) ? c['deadline'] : undefined]);
    return canonical(d['else'] === undefined ? cases : [...cases, ['true', d['else']]]);
  }
  return canonical([['true', d]]);
}

function metricGoals(goals: unknown): string {
  return canonical(asArray(goals).map((g) => [isObj(g) && typeof g['when'] === 'string' ? g['when'] : 'true', isObj(g) ? g['deadline'] : undefined]));
}

/**
 * Every `after` timer of a workflow whose transition runs `escalate`, with the roles of its ladder's
 * first rung: the one that fires at the deadline (each later rung fires only when the same instance
 * escalates that ladder again, e.g. after a reopen, which an SLA breach recorded once does not repeat).
 */
export function workflowEscalations(wf: Workflow): Escalation[] {
  const out: Escalation[] = [];
  const ladders = (isObj(wf.ladders) ? wf.ladders : {}) as Obj;
  const delays = (isObj(wf.delays) ? wf.delays : {}) as Obj;
  const walk = (states: unknown, prefix: string[], depth: number): void => {
    if (!isObj(states) || depth > 12) return;
    for (const [key, s] of Object.entries(states)) {
      if (!isObj(s)) continue;
      const path = [...prefix, key];
      for (const [delay, transitions] of Object.entries(isObj(s['after']) ? s['after'] : {})) {
        for (const t of asArray(transitions)) {
          if (!isObj(t)) continue;
          for (const a of asArray(t['actions'])) {
            if (!isObj(a) || a['type'] !== 'escalate' || !isObj(a['params']) || typeof a['params']['ladder'] !== 'string') continue;
            const ladder = a['params']['ladder'];
            const first = asArray(ladders[ladder])[0];
            const roles = new Set(isObj(first) ? asArray(first['roles']).filter((x): x is string => typeof x === 'string') : []);
            out.push({ state: path.join('.'), key, delay, deadline: delays[delay], ladder, roles });
          }
        }
      }
      walk(s['states'], path, depth + 1);
    }
  };
  walk(isObj(wf.machine) ? wf.machine['states'] : undefined, [], 0);
  return out;
}

/** A rung due at the breach itself (`after` 0): the instant the workflow's own timer fires. */
const atBreach = (rung: Obj): boolean => {
  const after = isObj(rung['after']) ? rung['after']['after'] : undefined;
  return isObj(after) && after['amount'] === 0;
};

const names = (list: unknown, key: 'enter' | 'leave'): string[] => asArray(list).flatMap((c) => (isObj(c) && typeof c[key] === 'string' ? [c[key]] : []));

/**
 * Warns where an SLA metric's breach ladder notifies, at the breach itself, a role that the workflow's
 * own escalation already notifies at that instant for the same clock: a workflow `after` timer that runs `escalate`, measuring the
 * same state window (the metric starts on entering the timer's state and stops on leaving it) or
 * the same deadline (the metric's goals are the delay's cases). At run time both fire, so the role
 * would get two notices for one deadline.
 */
export function lintDuplicateNotices(sla: unknown, wf: Workflow, file: string): Finding[] {
  if (!isObj(sla) || !Array.isArray(sla['metrics'])) return [];
  const escalations = workflowEscalations(wf);
  if (escalations.length === 0) return [];
  const out: Finding[] = [];
  sla['metrics'].forEach((m, mi) => {
    if (!isObj(m)) return;
    const onBreach = m['onBreach'];
    const ladder = isObj(onBreach) ? asArray(onBreach['ladder']) : [];
    if (ladder.length === 0) return;
    const starts = names(m['start'], 'enter');
    const stops = names(m['stop'], 'leave');
    const goals = metricGoals(m['goals']);
    const same = escalations.filter((e) => {
      const inState = (s: string) => s === e.state || s === e.key;
      return (starts.some(inState) && stops.some(inState)) || (e.deadline !== undefined && delayGoals(e.deadline) === goals);
    });
    ladder.forEach((rung, ri) => {
      if (!isObj(rung) || !atBreach(rung)) return;
      const notify = asArray(rung['notify']).filter((x): x is string => typeof x === 'string');
      for (const e of same) {
        const twice = notify.filter((r) => e.roles.has(r));
        if (twice.length === 0) continue;
        out.push(finding(
          'duplicate-notice',
          file,
          ['metrics', mi, 'onBreach', 'ladder', ri, 'notify'],
          `指标“${String(m['id'])}”超时升级第 ${ri + 1} 级通知 ${twice.join('、')}，而流程“${wf.id}”在状态“${e.state}”的计时器“${e.delay}”已按升级阶梯“${e.ladder}”通知同一时限：同一期限会发出两条通知。每类受众只保留一条（从此级删去这些角色，或删去流程的升级）`,
          `Metric "${String(m['id'])}" breach ladder rung ${ri + 1} notifies ${twice.join(', ')}, whom workflow "${wf.id}" already notifies for the same clock (timer "${e.delay}" in state "${e.state}", ladder "${e.ladder}"): one deadline would send two notices. Keep one per audience (drop these roles from the rung, or the workflow's escalation)`,
          'warning',
        ));
        break;
      }
    });
  });
  return out;
}
