import type { Effect } from '@estateflow/engine';
import { localTime } from './local-time.ts';
import type { ScenarioRun } from './run-scenario.ts';

function effectLine(e: Effect): string {
  switch (e.kind) {
    case 'notify':
      return `notify ${e.to.role ?? e.to.user ?? (e.to.resident ? 'resident' : '?')} [${e.channel}] ${e.message.zh}`;
    case 'incident':
      return `incident ${e.incidentKind}: ${e.summary.zh}`;
    case 'startChild':
      return `start child ${e.workflow} (${e.childId}) → ${e.doneEvent}`;
    case 'escalate':
      return `escalate ${e.ladder} rung ${e.rung + 1} → ${e.roles.join(', ')}`;
    case 'parentDone':
      return `tell parent ${e.parent.instanceId}: ${e.parent.doneEvent}`;
    default:
      return JSON.stringify(e);
  }
}

/** A readable timeline: time, who, what, resulting state, open tasks, armed timers, effects, charges. */
export function formatTimeline(run: ScenarioRun): string {
  const lines: string[] = [`# ${run.scenario.title.zh} / ${run.scenario.title.en}  (${run.file})`];
  for (const t of run.timeline) {
    const head = t.kind === 'refused' ? `✗ ${t.event} refused: ${t.error?.reason} — ${t.error?.message.zh}` : `${t.kind === 'stale' ? '(stale) ' : ''}${t.event}`;
    lines.push(`${localTime(t.at)}  [${t.actor}] ${head}  ⇒ ${t.state}`);
    if (t.tasks.length) lines.push(`    tasks:   ${t.tasks.join('; ')}`);
    if (t.timers.length) lines.push(`    timers:  ${t.timers.join('; ')}`);
    for (const e of t.effects) lines.push(`    effect:  ${effectLine(e)}`);
    for (const c of t.charges) lines.push(`    charge:  ${c.item} ${(c.amountFen / 100).toFixed(2)} 元 (serial ${c.serial})`);
    for (const c of t.clocks) lines.push(`    sla:     ${c}`);
    for (const f of t.failures) lines.push(`    ✗ expect: ${f}`);
  }
  return lines.join('\n');
}
