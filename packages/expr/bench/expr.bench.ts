/** `pnpm bench expr`: cost of a guard on the engine's hot path, against a hand-written JS check. */
import { compileExpr, evaluateExpr } from '../src/index.ts';

type BenchResult = { name: string; value: number; unit: string; ratio?: number; target?: string; baseline?: string; note?: string };

function perOp(fn: () => unknown, n: number): number {
  for (let i = 0; i < Math.min(n, 5_000); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) * 1000) / n;
}

export async function run(): Promise<BenchResult[]> {
  const vars = { context: { valueFen: 15_000, grade: 'major' }, actor: { id: 'u1', role: 'duty_manager' }, now: new Date('2026-03-01T00:00:00Z') };
  const guard = compileExpr('context.valueFen >= 10000 && actor.role == "duty_manager"', { expect: 'bool' });
  if (!guard.ok) throw new Error('guard does not compile');
  const n = 200_000;
  const ours = perOp(() => evaluateExpr(guard.expr, vars), n);
  const js = perOp(() => vars.context.valueFen >= 10000 && vars.actor.role === 'duty_manager', n);
  let i = 0;
  const compile = perOp(() => compileExpr(`context.valueFen >= ${i++}`, { expect: 'bool' }), 2_000);
  return [
    { name: 'expr: evaluate compiled guard', value: ours, unit: 'µs/op', target: '< 5 µs', ratio: ours / Math.max(js, 1e-3), baseline: `plain JS ${js.toFixed(3)} µs/op` },
    { name: 'expr: compile new expression', value: compile, unit: 'µs/op', note: 'parse + type check, once per source' },
  ];
}
