/** `pnpm bench forms`: server-side validation cost per request, against raw ajv on the same schema. */
import { compileForm, validateFormData } from '../src/index.ts';
import { repairForm } from '../src/test-fixtures.ts';

type BenchResult = { name: string; value: number; unit: string; ratio?: number; target?: string; baseline?: string; note?: string };

function perOp(fn: () => unknown, n: number): number {
  for (let i = 0; i < Math.min(n, 2_000); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) * 1000) / n;
}

export async function run(): Promise<BenchResult[]> {
  const compiled = compileForm(repairForm);
  const now = new Date('2026-03-01T02:00:00Z');
  const data = { name: '王芳', phone: '13812345678', category: 'leak', leakSource: '厨房', feeFen: 12_345, items: [{ part: '阀门', qty: 1 }] };
  const opts = { actor: { id: 't', role: 'technician' }, now };
  const n = 20_000;
  const ours = perOp(() => validateFormData(compiled, data, opts), n);
  const raw = perOp(() => compiled.validate(data), n);
  return [
    { name: 'forms: validateFormData (19 fields, 6 rules)', value: ours, unit: 'µs/op', ratio: ours / Math.max(raw, 1e-3), baseline: `raw ajv validate ${raw.toFixed(2)} µs/op` },
  ];
}
