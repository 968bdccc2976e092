import { suggestion } from '../did-you-mean.ts';
import { finding, type Finding } from '../finding.ts';
import type { Workflow } from '../generated/index.ts';

type Path = (string | number)[];
const CONDITION_LISTS = ['start', 'pause', 'resume', 'stop', 'reset', 'cancel'];

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
  walk(wf.machine.states as Record<string, unknown>, []);
  return out;
}

/**
 * SLA conditions (`{ enter | leave: state }`, `{ event: TYPE }`) must name states and events of the
 * workflow the SLA measures. Written against the shape in schemas/README.md, walking the document
 * generically so it keeps working as the sla schema grows.
 */
export function lintSla(sla: Record<string, unknown>, workflows: ReadonlyMap<string, Workflow>, file: string, calendars: ReadonlySet<string> | undefined): Finding[] {
  const out: Finding[] = [];
  const wfId = sla['workflow'];
  if (typeof wfId !== 'string') return out;
  const wf = workflows.get(wfId);
  if (!wf) {
    const s = suggestion(wfId, workflows.keys());
    out.push(finding('unknown-workflow', file, ['workflow'], `SLA 指向的工作流 "${wfId}" 不在模板包中${s.zh}`, `The SLA's workflow "${wfId}" is not in the bundle${s.en}`));
    return out;
  }
  const cal = sla['calendar'];
  if (typeof cal === 'string' && calendars && !calendars.has(cal) && cal !== 'cn-statutory') {
    out.push(finding('unknown-calendar', file, ['calendar'], `日历 "${cal}" 未在模板包中声明`, `Calendar "${cal}" is not declared in the bundle`));
  }
  const states = statePaths(wf);
  const events = Object.keys(wf.events);
  const condition = (c: unknown, path: Path): void => {
    if (!c || typeof c !== 'object') return;
    const o = c as Record<string, unknown>;
    for (const key of ['enter', 'leave'] as const) {
      const s = o[key];
      if (typeof s === 'string' && !states.has(s)) {
        const sug = suggestion(s, states);
        out.push(finding('unknown-state', file, [...path, key], `SLA 条件引用了工作流 "${wfId}" 中不存在的状态 "${s}"${sug.zh}`, `SLA condition names state "${s}", which workflow "${wfId}" does not have${sug.en}`));
      }
    }
    const e = o['event'];
    if (typeof e === 'string' && !events.includes(e)) {
      const sug = suggestion(e, events);
      out.push(finding('undeclared-event', file, [...path, 'event'], `SLA 条件引用了工作流 "${wfId}" 未声明的事件 "${e}"${sug.zh}`, `SLA condition names event "${e}", which workflow "${wfId}" does not declare${sug.en}`));
    }
  };
  const metrics = sla['metrics'];
  if (Array.isArray(metrics)) {
    metrics.forEach((m, mi) => {
      if (!m || typeof m !== 'object') return;
      for (const list of CONDITION_LISTS) {
        const conds = (m as Record<string, unknown>)[list];
        if (Array.isArray(conds)) conds.forEach((c, ci) => condition(c, ['metrics', mi, list, ci]));
        else if (conds && typeof conds === 'object') condition(conds, ['metrics', mi, list]);
      }
    });
  }
  return out;
}
