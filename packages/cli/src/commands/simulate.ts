/**
 * `wf simulate <bundle> --script <scenario>`: runs a scenario on the virtual clock and prints the
 * timeline (time, sender, event, state, open tasks, armed timers, effects, charges); failed
 * expectations are printed inline and make the exit code 1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBundle } from '../bundle/load-bundle.ts';
import { runScenario } from '../scenario/run-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { formatTimeline } from '../scenario/timeline.ts';
import { processIo, type Command, parseCommandArgs } from './io.ts';

const HELP = `用法 usage: wf simulate <bundle> --script <scenario.json | scenario id>
  在虚拟时钟上运行场景并打印时间线（状态、任务、计时器、SLA、效果、费用）
  runs a scenario on the virtual clock and prints the timeline (state, tasks, timers, SLA clocks, effects, charges)`;

export const simulateCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, { script: { type: 'string' } }, HELP, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const dir = positionals[0];
  if (!dir || !values.script) {
    io.err(HELP);
    return 2;
  }
  let bundle;
  try {
    bundle = loadBundle(dir);
  } catch (e) {
    io.err(`✗ ${(e as Error).message}`);
    return 2;
  }
  const wanted = resolve(values.script);
  const found = bundle.scenarios.find((s) => resolve(s.file) === wanted || s.scenario.id === values.script)
    ?? (existsSync(wanted) ? { file: values.script, scenario: JSON.parse(readFileSync(wanted, 'utf8')) as Scenario } : undefined);
  if (!found) {
    io.err(`✗ 找不到场景 scenario not found: ${values.script} (known: ${bundle.scenarios.map((s) => s.scenario.id).join(', ')})`);
    return 2;
  }
  const run = runScenario(bundle, found.file, found.scenario);
  io.out(formatTimeline(run));
  for (const f of run.failures) io.err(`✗ ${f}`);
  return run.failures.length ? 1 : 0;
};
