/**
 * `wf test <bundle|dir> [--coverage]`: runs every `scenarios/*.scenario.json` of each bundle and
 * checks its expectations; with `--coverage`, lists states and transitions no scenario reached,
 * with paths @xstate/graph proposes, and fails unless coverage is 100 %.
 */
import { paramsFor, findBundles, loadBundle } from '../bundle/load-bundle.ts';
import { coverageOf } from '../scenario/coverage.ts';
import { runScenario, type ScenarioRun } from '../scenario/run-scenario.ts';
import { processIo, type Command, parseCommandArgs } from './io.ts';

const HELP = `用法 usage: wf test <bundle|dir> [--coverage]
  运行模板包 scenarios/*.scenario.json 中的全部场景 runs every scenario of the bundle(s)
  --coverage  报告未覆盖的状态与转移，未达 100 % 时退出码为 1 report states and transitions no scenario reached; exit 1 below 100 %`;

export const testCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, { coverage: { type: 'boolean', default: false } }, HELP, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const target = positionals[0];
  if (!target) {
    io.err(HELP);
    return 2;
  }
  const bundles = findBundles(target);
  if (bundles.length === 0) {
    io.err(`✗ ${target}: 没有找到 bundle.json / no bundle.json found`);
    return 2;
  }
  let failed = 0;
  let passed = 0;
  let incomplete = 0;
  for (const dir of bundles) {
    let bundle;
    try {
      bundle = loadBundle(dir);
    } catch (e) {
      io.err(`✗ ${dir}: ${(e as Error).message}`);
      failed++;
      continue;
    }
    io.out(`${bundle.manifest.id}@${bundle.manifest.version}: ${bundle.scenarios.length} scenario(s)`);
    const runs: ScenarioRun[] = [];
    for (const { file, scenario } of bundle.scenarios) {
      let run: ScenarioRun;
      try {
        run = runScenario(bundle, file, scenario);
      } catch (e) {
        io.out(`  ✗ ${scenario.id ?? file}: ${(e as Error).message}`);
        failed++;
        continue;
      }
      runs.push(run);
      if (run.failures.length === 0) {
        passed++;
        io.out(`  ✓ ${scenario.id} — ${scenario.title.zh} / ${scenario.title.en}`);
      } else {
        failed++;
        io.out(`  ✗ ${scenario.id} — ${scenario.title.zh} / ${scenario.title.en}  (${file})`);
        for (const f of run.failures) io.out(`      ${f}`);
      }
    }
    if (!values.coverage) continue;
    for (const wf of bundle.workflows) {
      const mine = runs.filter((r) => r.compiled?.definition.id === wf.id);
      const compiled = mine[0]?.compiled;
      if (!compiled) {
        io.out(`  coverage ${wf.id}: no scenario runs this workflow (0 %)`);
        incomplete++;
        continue;
      }
      const first = mine[0]!.scenario;
      const cov = coverageOf(compiled, mine, {
        now: new Date(first.start.at).toISOString(), actor: first.start.actor, data: first.start.data ?? {}, instanceId: 'coverage',
        params: paramsFor(bundle, wf, first.params),
      });
      const s = cov.states.total - cov.states.missing.length;
      const t = cov.transitions.total - cov.transitions.missing.length;
      const pct = (a: number, b: number) => (b === 0 ? 100 : Math.floor((1000 * a) / b) / 10);
      io.out(`  coverage ${wf.id}: states ${s}/${cov.states.total} (${pct(s, cov.states.total)} %), transitions ${t}/${cov.transitions.total} (${pct(t, cov.transitions.total)} %)`);
      if (cov.states.missing.length || cov.transitions.missing.length) {
        incomplete++;
        for (const m of cov.states.missing) io.out(`    未覆盖状态 state not reached: ${m}`);
        for (const m of cov.transitions.missing) io.out(`    未覆盖转移 transition not taken: ${m}`);
        io.out('    @xstate/graph suggests:');
        for (const sug of cov.suggestions) io.out(`      ${sug}`);
      }
    }
  }
  io.out(`${passed} passed, ${failed} failed${values.coverage ? `, ${incomplete} workflow(s) below 100 % coverage` : ''}`);
  return failed > 0 || incomplete > 0 ? 1 : 0;
};
